"""Host bulk-add and bulk-export files: StarlingX's XML.

``<hosts><host><hostname>worker-0</hostname>...</host></hosts>``, one child
element per field (HOST_XML_ATTRIBUTES). Files are parsed with defusedxml:
DTDs, entities and external references are refused, so a file cannot make
the parser expand or fetch anything.
"""

from xml.etree import ElementTree

import defusedxml
from defusedxml import ElementTree as SafeElementTree

from stx.common import exception

HOST_XML_ATTRIBUTES = (
    'hostname', 'personality', 'subfunctions', 'mgmt_mac', 'mgmt_ip',
    'bm_ip', 'bm_type', 'bm_username', 'bm_password', 'boot_device',
    'rootfs_device', 'hw_settle', 'install_output', 'console',
    'vsc_controllers', 'power_on', 'location', 'apparmor', 'sw_version',
    # stx-flock's own.
    'cluster_host_ip')
# Never written to an export: passwords stay in the database.
_NOT_EXPORTED = ('bm_password', 'power_on')


def parse_hosts(data):
    """The hosts of a bulk-add file, as field dicts.

    An empty element counts as absent; <location> text becomes
    {"locn": text}; <power_on/> means power the host on.

    :raises: InvalidBulkFile naming every problem found.
    """
    try:
        root = SafeElementTree.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as error:
        raise exception.InvalidBulkFile(
            reason='DTDs, entities and external references are not '
            'allowed (%s)' % type(error).__name__, field='file')
    except ElementTree.ParseError as error:
        raise exception.InvalidBulkFile(reason='not well-formed XML: %s'
                                        % error, field='file')
    if root.tag != 'hosts':
        raise exception.InvalidBulkFile(
            reason="the root element must be <hosts>, not <%s>" % root.tag,
            field='file')
    hosts, problems = [], []
    for index, element in enumerate(root, 1):
        if element.tag != 'host':
            problems.append('element %d: <%s> is not <host>'
                            % (index, element.tag))
            continue
        values = {}
        for child in element:
            if child.tag not in HOST_XML_ATTRIBUTES:
                problems.append('host %d: unknown element <%s>'
                                % (index, child.tag))
                continue
            text = (child.text or '').strip()
            if child.tag == 'power_on':
                values['power_on'] = True
            elif child.tag == 'location' and text:
                values['location'] = {'locn': text}
            elif text:
                values[child.tag] = text
        hosts.append(values)
    if problems:
        raise exception.InvalidBulkFile(reason='; '.join(problems),
                                        field='file')
    if not hosts:
        raise exception.InvalidBulkFile(reason='the file has no <host>',
                                        field='file')
    return hosts


def export_hosts(hosts, software_version):
    """A bulk-add file describing ``hosts`` (dicts of host fields)."""
    root = ElementTree.Element('hosts', version=software_version or '')
    for host in hosts:
        element = ElementTree.SubElement(root, 'host')
        for field in HOST_XML_ATTRIBUTES:
            if field in _NOT_EXPORTED:
                continue
            value = host.get(field)
            if field == 'location':
                value = (value or {}).get('locn')
            if value in (None, ''):
                continue
            ElementTree.SubElement(element, field).text = str(value)
    ElementTree.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' +
            ElementTree.tostring(root, encoding='unicode') + '\n')
