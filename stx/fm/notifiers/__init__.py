"""Northbound alarm and event notifiers (namespace ``stx.fm.notifiers``)."""
