"""Desk pages shown from the navigation side bar."""
