"""BMC drivers (entry-point namespace ``stx.drivers.bmc``); see base.py."""
