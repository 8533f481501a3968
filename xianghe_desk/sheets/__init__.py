"""Spreadsheets (contract §2): reading .xlsx/.csv rows and writing templates and exports."""
