"""Reloop: an open-source marketplace platform for refurbished electronics."""

__version__ = "0.1.0"
