"""``stx host-label-assign``, ``host-label-list`` and ``host-label-remove``
against a real sysinv API.
"""

from stx.cli import labels
from stx.sysinv.db import interfaces_api
from tests.unit.cli import test_inventory_cli

HOST = 'controller-0'


class TestLabelCommands(test_inventory_cli.InventoryCliTestCase):

    def stored(self):
        return {row['label_key']: row['label_value']
                for row in interfaces_api.label_list(self.context,
                                                     self.controller['id'])}

    def test_assign_list_remove(self):
        assigned = self.json_of('host-label-assign', HOST, 'sriov=enabled',
                                'kubernetes.io/role=edge', 'empty=')
        self.assertEqual(['uuid', 'host_uuid', 'label_key', 'label_value'],
                         list(assigned[0]))
        self.assertEqual(['sriov', 'kubernetes.io/role', 'empty'],
                         [row['label_key'] for row in assigned])
        self.assertEqual(['uuid', 'label_key', 'label_value'],
                         [column[0] for column in labels.LIST_COLUMNS])
        listed = self.assertColumns(labels.LIST_COLUMNS, 'host-label-list',
                                    HOST)
        self.assertEqual([('empty', ''), ('kubernetes.io/role', 'edge'),
                          ('sriov', 'enabled')],
                         [(row['label_key'], row['label_value'])
                          for row in listed])
        status, out, err = self.stx('host-label-remove', HOST, 'sriov',
                                    'empty')
        self.assertEqual(0, status, err)
        self.assertIn('Deleted host label sriov for host controller-0', out)
        self.assertEqual({'kubernetes.io/role': 'edge'}, self.stored())

    def test_existing_key_needs_overwrite(self):
        self.json_of('host-label-assign', HOST, 'sriov=enabled')
        err = self.assertOneLineError(self.stx(
            'host-label-assign', HOST, 'new=1', 'sriov=disabled'))
        self.assertIn("'sriov'", err)
        self.assertEqual({'sriov': 'enabled'}, self.stored())
        self.json_of('host-label-assign', HOST, 'sriov=disabled',
                     '--overwrite')
        self.assertEqual({'sriov': 'disabled'}, self.stored())

    def test_refusals_are_one_line_and_store_nothing(self):
        for argv, words in ((('bad key=v',), 'bad key'),
                            (('novalue',), 'key=value'),
                            (('ok=a b',), "'ok'")):
            with self.subTest(argv=argv):
                err = self.assertOneLineError(
                    self.stx('host-label-assign', HOST, *argv))
                self.assertIn(words, err)
        err = self.assertOneLineError(self.stx('host-label-remove', HOST,
                                               'nothing'))
        self.assertIn('nothing', err)
        err = self.assertOneLineError(self.stx('host-label-list',
                                               'worker-9'))
        self.assertEqual('Error: Host worker-9 could not be found.', err)
        self.assertEqual({}, self.stored())
