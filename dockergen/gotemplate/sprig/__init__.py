"""Sprig v3 functions, one module per family (strings, lists, dicts, math, ...)."""
