"""HA redundancy models (entry-point namespace ``stx.ha.models``)."""
