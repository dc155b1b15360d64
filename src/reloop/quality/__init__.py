"""Seller quality: rolling 90-day metrics, the 0-100 score, warnings and suspensions."""
