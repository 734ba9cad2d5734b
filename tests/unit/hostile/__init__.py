"""Hostile container values against every helper family (see support.py)."""
