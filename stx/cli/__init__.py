"""The ``stx`` command-line client (cliff), one module per resource."""
