"""The local store: sqlite-utils over one SQLite file. All SQL of the program lives here."""
