"""Host labels: the conductor's RPC methods that assign and remove the
Kubernetes labels of a host's node.
"""

from oslo_log import log as logging
import oslo_messaging as messaging

from stx.sysinv.conductor import common
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import interfaces_api
from stx.sysinv import labels as host_labels

LOG = logging.getLogger(__name__)


class LabelsMixin:
    """Conductor RPC methods of host labels."""

    # Host labels (``host-label-assign``): the Kubernetes labels of the
    # host's node. Unlike CPU and memory changes they need no lock.

    @messaging.expected_exceptions(*common.EXPECTED)
    def assign_labels(self, context, host_uuid, labels, overwrite=False):
        """Give a host labels, all or none.

        :param labels: ``{key: value}`` (stx.sysinv.labels).
        :param overwrite: whether keys the host has take the new values.
        :returns: the labels given, as stored (timestamps as ISO text).
        :raises: HostNotFound; InvalidParameterValue naming the key that
            is not a label key or whose value is not a label value;
            LabelAlreadyExists naming a key the host has (without
            ``overwrite``). Nothing is stored then.
        """
        labels = host_labels.check_labels(labels)
        host = dbapi.host_get(context, host_uuid)
        rows = interfaces_api.labels_assign(context, host['id'], labels,
                                            overwrite=bool(overwrite))
        LOG.info('Labels of host %(host)s assigned: %(labels)s',
                 {'host': common.host_label(host),
                  'labels': ', '.join('%s=%s' % item
                                      for item in labels.items())})
        return [common.json_row(row) for row in rows]

    @messaging.expected_exceptions(*common.EXPECTED)
    def remove_label(self, context, label_uuid):
        """Remove one label of a host.

        :returns: the label removed (timestamps as ISO text).
        :raises: LabelNotFound
        """
        row = interfaces_api.label_destroy(context, label_uuid)
        LOG.info('Label %(key)s of host %(host)s removed',
                 {'key': row['label_key'],
                  'host': row['hostname'] or row['host_uuid']})
        return common.json_row(row)
