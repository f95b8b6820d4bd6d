"""FakePatch: patches "installed" in memory, for one simulated host.

All instances share one class-level set of installed patch ids (a process
runs one host's agent); ``FakePatch.reset()`` empties it.
"""

import threading

from oslo_log import log as logging

from stx.common import exception
from stx.drivers.patch import base

LOG = logging.getLogger(__name__)


class FakePatch(base.PatchDriver):
    """A patch driver that records installed patch ids."""

    _installed = set()
    _lock = threading.Lock()

    @classmethod
    def reset(cls):
        """Forget every installed patch (for tests)."""
        with cls._lock:
            cls._installed.clear()

    def get_properties(self):
        """See :meth:`PatchDriver.get_properties`."""
        return {
            'id': 'Patch id. Required.',
            'reboot_required': 'Whether installing or removing the patch '
                               'needs a reboot (bool). Required.',
        }

    def validate(self, patch_metadata):
        """See :meth:`PatchDriver.validate`."""
        if not isinstance(patch_metadata, dict):
            raise exception.InvalidParameterValue(
                field='patch_metadata', reason='expected a dict, got %s'
                % type(patch_metadata).__name__)
        if not patch_metadata.get('id'):
            raise exception.MissingParameterValue(
                field='id', reason='every patch has one')
        if 'reboot_required' not in patch_metadata:
            raise exception.MissingParameterValue(
                field='reboot_required',
                reason='the driver must know whether to ask for a reboot')
        if not isinstance(patch_metadata['reboot_required'], bool):
            raise exception.InvalidParameterValue(
                field='reboot_required', reason='%r is not a boolean'
                % (patch_metadata['reboot_required'],))

    def query(self, host_context):
        """See :meth:`PatchDriver.query`."""
        with self._lock:
            return sorted(self._installed)

    def install(self, patch_metadata):
        """See :meth:`PatchDriver.install`."""
        self.validate(patch_metadata)
        with self._lock:
            self._installed.add(patch_metadata['id'])
        LOG.debug('Fake patch %(id)s installed', {'id': patch_metadata['id']})
        return {'reboot_required': patch_metadata['reboot_required']}

    def remove(self, patch_metadata):
        """See :meth:`PatchDriver.remove`."""
        self.validate(patch_metadata)
        with self._lock:
            self._installed.discard(patch_metadata['id'])
        LOG.debug('Fake patch %(id)s removed', {'id': patch_metadata['id']})
        return {'reboot_required': patch_metadata['reboot_required']}
