"""Dialogs, one per module; each has a classmethod entry point returning a validated value or None."""
