"""Versioned objects for every resource that crosses RPC."""


def register_all():
    """Import every object module so the registry knows each class."""
    __import__('stx.objects.host')
    __import__('stx.objects.system')
