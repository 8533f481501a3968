"""Use cases and transactions. Every write of the program goes through here, where permissions
and the audit trail will live."""
