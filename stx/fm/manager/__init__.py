"""stx-fm-manager: the only writer of the fm database."""
