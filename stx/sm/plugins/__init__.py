"""Plugin actions of the packaged service-management models."""
