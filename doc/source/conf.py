"""Sphinx configuration of the stx-flock documentation.

Plain Sphinx: the alabaster theme that ships with it and oslo.config's
extension for the configuration reference. Nothing here needs the network.
"""

project = 'stx-flock'
copyright = 'stx-flock developers'
author = 'stx-flock developers'

try:
    from stx import version as _version
    release = _version.version_string()
except Exception:  # a docs build must not depend on pbr's git metadata
    release = ''
version = '.'.join(release.split('.')[:2])

extensions = [
    # ".. show-options:: stx" renders every option stx-flock registers.
    'oslo_config.sphinxext',
]

templates_path = []
exclude_patterns = []
source_suffix = {'.rst': 'restructuredtext'}
root_doc = 'index'
language = 'en'
pygments_style = 'sphinx'

html_theme = 'alabaster'
html_static_path = []
html_title = 'stx-flock documentation'
html_show_sourcelink = False
