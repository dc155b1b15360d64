"""Payments: the double-entry ledger, commission, payment providers and their webhooks (layer 6).

Order-agnostic by design: the services move money between ledger accounts under a caller-given idempotency key
and a free-text reference (``order:123``); the glue that knows about orders lives in the layers above.
See docs/adr/0009-ledger.md.
"""
