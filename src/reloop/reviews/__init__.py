"""Verified reviews of delivered lines: product and seller ratings, seller replies, moderation."""
