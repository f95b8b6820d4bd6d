"""Simulators for tests, labs and demos: hardware stx-flock drives.

``stx.sim.bmc`` simulates IPMI BMCs (the ``stx-bmc-sim`` command).
"""
