"""Staff roles: each is a Django group holding the permissions below, created by migration ``0002_roles``.

Migration ``0003_sync_roles`` (and any later one) sets each group to exactly the permissions below. Give a
person a role in the admin (Users → Groups) and staff status; a superuser has every permission. The
authorization matrix test (``console/tests/test_authorization_matrix.py``) checks every console page and operator
API endpoint against these sets, so a change here is a change of who may do what, reviewed as such.
"""

from __future__ import annotations

from typing import Final

# The console's own permissions (``console.ConsoleAccess``).
VIEW_CONSOLE: Final = "console.view_console"
VIEW_FIGURES: Final = "console.view_figures"
EXPORT_REPORTS: Final = "console.export_reports"
SEARCH_CUSTOMERS: Final = "console.search_customers"
VIEW_SELLER_360: Final = "console.view_seller_360"
# Other apps' permissions the console pages check (kept equal to the constants in those apps).
VIEW_LEDGER: Final = "payments.view_ledgertransaction"
VIEW_PAYOUTS: Final = "payments.view_payout"
VET_SELLERS: Final = "sellers.change_sellerapplication"
VIEW_CASES: Final = "aftersales.view_case"
DECIDE_CASES: Final = "aftersales.change_case"
MODERATE_REVIEWS: Final = "reviews.moderate_review"
VIEW_TRADEINS: Final = "buyback.view_tradein"
DECIDE_TRADEINS: Final = "buyback.change_tradein"
VIEW_LEGAL_TEXTS: Final = "legal.view_legalversion"
EDIT_LEGAL_TEXTS: Final = "legal.change_legalversion"
VIEW_NOTICES: Final = "legal.view_noticereport"
DECIDE_NOTICES: Final = "legal.decide_noticereport"
VIEW_EMAILS: Final = "notifications.view_message"

SUPPORT: Final = "support"
FINANCE: Final = "finance"
TRUST_AND_SAFETY: Final = "trust_and_safety"
CATALOGUE: Final = "catalogue"

#: Group name → permissions ("app_label.codename"). Every role opens the console home.
ROLES: Final[dict[str, tuple[str, ...]]] = {
    SUPPORT: (VIEW_CONSOLE, SEARCH_CUSTOMERS, VIEW_CASES, DECIDE_CASES, VIEW_SELLER_360, VIEW_TRADEINS, VIEW_EMAILS),
    FINANCE: (VIEW_CONSOLE, VIEW_FIGURES, EXPORT_REPORTS, VIEW_LEDGER, VIEW_PAYOUTS, VIEW_SELLER_360),
    TRUST_AND_SAFETY: (
        VIEW_CONSOLE,
        VIEW_FIGURES,
        SEARCH_CUSTOMERS,
        VIEW_SELLER_360,
        VET_SELLERS,
        VIEW_CASES,
        DECIDE_CASES,
        MODERATE_REVIEWS,
        VIEW_TRADEINS,
        DECIDE_TRADEINS,
        VIEW_NOTICES,
        DECIDE_NOTICES,
        VIEW_LEGAL_TEXTS,
        VIEW_EMAILS,
    ),
    CATALOGUE: (
        VIEW_CONSOLE,
        MODERATE_REVIEWS,
        VIEW_LEGAL_TEXTS,
        EDIT_LEGAL_TEXTS,
        "catalog.view_category",
        "catalog.change_category",
        "catalog.view_productmodel",
        "catalog.add_productmodel",
        "catalog.change_productmodel",
        "catalog.view_variant",
        "catalog.add_variant",
        "catalog.change_variant",
        "catalog.view_referenceprice",
        "catalog.add_referenceprice",
        "catalog.change_referenceprice",
        "impact.view_categoryfootprint",
        "impact.change_categoryfootprint",
        "impact.view_modelfootprint",
        "impact.change_modelfootprint",
    ),
}
