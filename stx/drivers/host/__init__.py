"""Host action drivers (namespace ``stx.drivers.host``); see base.py."""
