"""The seller back office at ``/seller/``: dashboard, insights, offers, orders, imports, returns, trade-ins,
reviews, quality, payouts, team and API keys, onboarding.

It may import the shared shell (``reloop.web``), never ``storefront`` or ``console`` (import-linter)."""
