"""Option listing for oslo-config-generator (entry point oslo.config.opts)."""

import collections
import importlib
import pkgutil

import stx.conf


def list_opts():
    """Return [(group, [opts])] for every stx.conf module, sorted by group."""
    groups = collections.defaultdict(list)
    for module_info in pkgutil.iter_modules(stx.conf.__path__):
        if module_info.name == 'opts':
            continue
        module = importlib.import_module('stx.conf.' + module_info.name)
        for group, opts in getattr(module, 'list_opts', dict)().items():
            groups[group].extend(opts)
    return sorted(groups.items(), key=lambda item: (item[0] != 'DEFAULT',
                                                    item[0]))
