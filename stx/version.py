"""The version of this stx-flock installation, as pbr computes it."""

import pbr.version

version_info = pbr.version.VersionInfo('stx-flock')
version_string = version_info.version_string
