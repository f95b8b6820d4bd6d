"""Service management (stx-sm): which controller runs each service."""
