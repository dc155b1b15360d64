"""The operator console at ``/operator/``: home, sellers and vetting, cases, trade-ins, reviews, payouts, emails,
legal texts and notices, the ledger. Staff only (``console.access.operator_required``); roles in
``reloop.console.roles``.

It may import the shared shell (``reloop.web``), never ``storefront`` or ``backoffice`` (import-linter)."""
