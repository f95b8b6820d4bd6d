"""Checks of agents' inventory reports (stx.sysinv.conductor.inventory)."""

import testtools

from stx.common import exception
from stx.common import states
from stx.sysinv.conductor import inventory


def _cpu(cpu, numa_node, core, thread=0):
    return {'cpu': cpu, 'numa_node': numa_node, 'core': core,
            'thread': thread}


class TestValidate(testtools.TestCase):

    def refusal(self, report, records, nodes=(0,)):
        error = self.assertRaises(exception.InventoryReportInvalid,
                                  inventory.validate, report, records,
                                  'worker-0', nodes)
        return error.field, error.kwargs['reason']

    def test_only_known_fields_are_kept(self):
        self.assertEqual(
            [{'device_node': '/dev/sda', 'size_mib': 10, 'rpm': None}],
            inventory.validate(inventory.DISKS, [
                {'device_node': '/dev/sda', 'size_mib': 10, 'rpm': None,
                 'partitions': 3}], 'worker-0'))

    def test_device_num_takes_a_64_bit_number(self):
        big = 2 ** 44
        self.assertEqual(big, inventory.validate(inventory.DISKS, [
            {'device_node': '/dev/sdz', 'size_mib': 1,
             'device_num': big}], 'worker-0')[0]['device_num'])
        self.assertEqual(('idisk_dict_array[0].device_num',
                          'must be between 0 and %d, not %d'
                          % (2 ** 63 - 1, 2 ** 64)),
                         self.refusal(inventory.DISKS, [
                             {'device_node': '/dev/sdz', 'size_mib': 1,
                              'device_num': 2 ** 64}]))

    def test_strings_fit_their_column(self):
        self.assertEqual(('pci_device_dict_array[0].pvendor_id',
                          'is longer than 4 characters'),
                         self.refusal(inventory.PCI_DEVICES, [
                             {'pciaddr': '0000:3d:00.0',
                              'pvendor_id': '80860'}]))

    def test_capabilities_must_be_json(self):
        self.assertEqual('inuma_dict_array[0].capabilities', self.refusal(
            inventory.NODES, [{'numa_node': 0,
                               'capabilities': {'x': object()}}])[0])

    def test_message_names_host_field_and_reason(self):
        error = self.assertRaises(
            exception.InventoryReportInvalid, inventory.validate,
            inventory.CPUS, [_cpu(0, 0, 'a')], 'worker-0', (0,))
        self.assertEqual("Inventory report of host worker-0 refused: "
                         "invalid 'icpu_dict_array[0].core': must be an "
                         "integer, not 'a'", str(error))


class TestInitialCpuFunctions(testtools.TestCase):

    def test_first_core_of_first_node_is_platform(self):
        records = [_cpu(0, 0, 0), _cpu(1, 0, 1), _cpu(2, 1, 0),
                   _cpu(3, 0, 0, thread=1)]
        platform = states.CPU_FUNCTION_PLATFORM
        application = states.CPU_FUNCTION_APPLICATION
        self.assertEqual({0: platform, 1: application, 2: application,
                          3: platform},
                         inventory.initial_cpu_functions(records))

    def test_core_numbers_need_not_start_at_zero(self):
        records = [_cpu(0, 0, 4), _cpu(1, 0, 2)]
        self.assertEqual(states.CPU_FUNCTION_PLATFORM,
                         inventory.initial_cpu_functions(records)[1])

    def test_no_cpus(self):
        self.assertEqual({}, inventory.initial_cpu_functions([]))
