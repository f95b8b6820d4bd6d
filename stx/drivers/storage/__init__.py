"""Storage backend drivers (namespace ``stx.drivers.storage``); base.py."""
