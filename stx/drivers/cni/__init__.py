"""CNI drivers (entry-point namespace ``stx.drivers.cni``); see base.py."""
