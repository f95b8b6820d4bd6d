"""Clients of stx-flock's own REST APIs and of other OpenStack services."""
