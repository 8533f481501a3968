"""PDF printouts with reportlab: work orders, the monthly summary, village notices."""
