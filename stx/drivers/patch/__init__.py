"""Patch content drivers (namespace ``stx.drivers.patch``); see base.py."""
