"""The patch driver interface: patch content on the host it runs on.

A patch driver installs, removes and lists patch content (files, Debian
packages, an ostree commit, ...) on the local host; the host's agent calls
it, the software-management service decides when. Provisional: small until
the update issues settle it. ``patch_metadata`` describes one patch::

    {'id': 'STX_1.0_PATCH_0001',    # required: the patch id
     'reboot_required': False,      # required: whether it applies in-service
     'contents': [...]}             # driver-specific; see get_properties()
"""

import abc


class PatchDriver(abc.ABC):
    """Query, install and remove patch content on the local host."""

    @abc.abstractmethod
    def get_properties(self):
        """Describe the patch_metadata keys the driver uses.

        :returns: a dict of key name to a description that says whether it
            is required.
        """

    @abc.abstractmethod
    def validate(self, patch_metadata):
        """Check that the driver can install and remove this patch.

        Fast and without I/O: it does not look at the host.

        :param patch_metadata: the patch description (see the module
            docstring).
        :raises: MissingParameterValue if a required key is absent.
        :raises: InvalidParameterValue if a value cannot be used.
        """

    @abc.abstractmethod
    def query(self, host_context):
        """List the patches installed on the host.

        :param host_context: a dict describing the host (``hostname`` and
            what the driver needs to inspect it).
        :returns: the sorted ids of the installed patches.
        :raises: MissingParameterValue if host_context lacks what the driver
            needs.
        :raises: ServiceUnavailable if the host's software inventory cannot
            be read.
        """

    @abc.abstractmethod
    def install(self, patch_metadata):
        """Install a patch's content; installing it again is harmless.

        :param patch_metadata: the patch description.
        :returns: a dict ``{'reboot_required': bool}``: whether the host
            must reboot before the patch takes effect.
        :raises: InvalidParameterValue or MissingParameterValue if
            patch_metadata is not valid.
        """

    @abc.abstractmethod
    def remove(self, patch_metadata):
        """Remove a patch's content; removing one not installed is harmless.

        :param patch_metadata: the patch description.
        :returns: a dict ``{'reboot_required': bool}``: whether the host
            must reboot before the removal takes effect.
        :raises: InvalidParameterValue or MissingParameterValue if
            patch_metadata is not valid.
        """
