"""The desk: PySide6 widgets. Reads through services, writes through jobs; never touches the store."""
