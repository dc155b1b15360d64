"""The operator console's menu: every page under ``/operator/`` with the permission that opens it. A person
sees only the entries they may open. ``tests/test_console_nav.py`` checks that every operator URL without a path
parameter is listed here, so a new operator page cannot be left out of the menu."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reloop.console import roles


@dataclass(frozen=True)
class ConsoleLink:
    url_name: str  # a full name: "operator:cases", "operator_ledger"
    label: str | Promise
    permission: str
    section: str | Promise


NAV: tuple[ConsoleLink, ...] = (
    ConsoleLink("operator:home", _("Overview"), roles.VIEW_CONSOLE, _("Console")),
    ConsoleLink("operator:search", _("Support search"), roles.SEARCH_CUSTOMERS, _("Console")),
    ConsoleLink("operator:cases", _("Cases"), roles.VIEW_CASES, _("Buyers")),
    ConsoleLink("operator:reviews", _("Review moderation"), roles.MODERATE_REVIEWS, _("Buyers")),
    ConsoleLink("operator:tradeins", _("Trade-ins"), roles.VIEW_TRADEINS, _("Buyers")),
    ConsoleLink("operator:emails", _("Emails sent"), roles.VIEW_EMAILS, _("Buyers")),
    ConsoleLink("operator:notices", _("Notices (DSA)"), roles.VIEW_NOTICES, _("Trust")),
    ConsoleLink("operator:legal", _("Legal texts"), roles.VIEW_LEGAL_TEXTS, _("Trust")),
    ConsoleLink("operator:seller_directory", _("Sellers"), roles.VIEW_SELLER_360, _("Sellers")),
    ConsoleLink("operator:seller_applications", _("Applications"), roles.VET_SELLERS, _("Sellers")),
    ConsoleLink("operator:payouts", _("Payouts"), roles.VIEW_PAYOUTS, _("Money")),
    ConsoleLink("operator_ledger", _("Ledger"), roles.VIEW_LEDGER, _("Money")),
    ConsoleLink("operator:impact_export", _("Impact export (CSV)"), roles.EXPORT_REPORTS, _("Reports")),
    ConsoleLink("operator:pictures", _("Pictures"), "catalog.change_productmodel", _("Catalogue")),
    ConsoleLink("operator:synonyms", _("Search synonyms"), "catalog.change_productmodel", _("Catalogue")),
)

#: Operator URLs that are actions or downloads reached from a page, not menu entries.
NOT_IN_MENU = frozenset(
    {
        "operator:reviews_hide",
        "operator:reviews_restore",
        "operator:payouts_export",
        "operator:markets_csv",
    }
)


def menu(request: HttpRequest) -> list[tuple[str, list[dict[str, Any]]]]:
    """The menu's sections for the signed-in staff member: only the pages they may open, the current one marked."""
    user = getattr(request, "user", None)
    if user is None or not (user.is_authenticated and user.is_staff):
        return []
    path = request.path
    sections: dict[str, list[dict[str, Any]]] = {}
    for link in NAV:
        if not user.has_perm(link.permission):
            continue
        url = reverse(link.url_name)
        current = path == url or (url != reverse("operator:home") and path.startswith(url))
        sections.setdefault(str(link.section), []).append({"url": url, "label": link.label, "current": current})
    return list(sections.items())


def console_nav(request: HttpRequest) -> dict[str, Any]:
    """Context processor: ``operator_nav``, the console menu. It is computed only if a template reads it (the
    shell's ``web/base.html`` does on pages under ``/operator/``), so other pages pay nothing for it."""
    return {"operator_nav": partial(menu, request)}
