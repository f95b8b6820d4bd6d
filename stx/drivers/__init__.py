"""stx-flock's plugin framework: the loader and one package per interface.

``stx.drivers.loader`` finds, loads and checks plugins of every family; the
sub-packages (``bmc``, ``storage``, ``cni``, ``patch``, ``host``, ``ha``)
each hold one interface's abstract base class (``base.py``), its drivers and
a ``fake`` driver for tests. Northbound notifiers live with fm
(``stx.fm.notifiers``) but load the same way.
"""
