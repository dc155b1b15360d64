"""The markets Reloop sells in, as data (DESIGN.md section 2, "Markets").

A market is a country, a currency, a language and a VAT rule. Its code (``fr-fr``, ``en-gb``) is the URL prefix
and is also the Django language code activated for the request, so Django's own i18n machinery resolves and
reverses market-prefixed URLs (see docs/adr/0003-market-is-the-url-locale.md). This module imports nothing from
Django's ORM so that settings can read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True, slots=True)
class Market:
    code: str  # URL prefix and Django language code, e.g. "fr-be"
    country: str  # ISO 3166-1 alpha-2
    country_name: str | Promise  # translated lazily, in the active language
    language: str  # interface language, ISO 639-1
    currency: str  # ISO 4217
    vat_rate: Decimal  # standard rate in percent; 0 where prices are shown before sales tax
    prices_include_tax: bool
    timezone: str

    @property
    def has_margin_scheme(self) -> bool:
        """Whether second-hand goods may be sold under the VAT margin scheme (EU Directive 2006/112 art. 313; UK)."""
        return self.country in MARGIN_SCHEME_COUNTRIES

    @property
    def locale(self) -> str:
        """Babel / CLDR locale, e.g. ``fr_BE``."""
        return f"{self.language}_{self.country}"


MARGIN_SCHEME_COUNTRIES = frozenset({"FR", "BE", "DE", "AT", "ES", "IT", "NL", "PT", "IE", "GR", "SK", "SE", "GB"})

MARKETS: tuple[Market, ...] = (
    Market("fr-fr", "FR", _("France"), "fr", "EUR", Decimal("20"), True, "Europe/Paris"),
    Market("fr-be", "BE", _("Belgium"), "fr", "EUR", Decimal("21"), True, "Europe/Brussels"),
    Market("de-de", "DE", _("Germany"), "de", "EUR", Decimal("19"), True, "Europe/Berlin"),
    Market("de-at", "AT", _("Austria"), "de", "EUR", Decimal("20"), True, "Europe/Vienna"),
    Market("es-es", "ES", _("Spain"), "es", "EUR", Decimal("21"), True, "Europe/Madrid"),
    Market("it-it", "IT", _("Italy"), "it", "EUR", Decimal("22"), True, "Europe/Rome"),
    Market("nl-nl", "NL", _("Netherlands"), "nl", "EUR", Decimal("21"), True, "Europe/Amsterdam"),
    Market("pt-pt", "PT", _("Portugal"), "pt", "EUR", Decimal("23"), True, "Europe/Lisbon"),
    Market("en-ie", "IE", _("Ireland"), "en", "EUR", Decimal("23"), True, "Europe/Dublin"),
    Market("el-gr", "GR", _("Greece"), "el", "EUR", Decimal("24"), True, "Europe/Athens"),
    Market("sk-sk", "SK", _("Slovakia"), "sk", "EUR", Decimal("23"), True, "Europe/Bratislava"),
    Market("sv-se", "SE", _("Sweden"), "sv", "SEK", Decimal("25"), True, "Europe/Stockholm"),
    Market("en-gb", "GB", _("United Kingdom"), "en", "GBP", Decimal("20"), True, "Europe/London"),
    Market("en-us", "US", _("United States"), "en", "USD", Decimal("0"), False, "America/New_York"),
    Market("ja-jp", "JP", _("Japan"), "ja", "JPY", Decimal("10"), True, "Asia/Tokyo"),
    Market("en-au", "AU", _("Australia"), "en", "AUD", Decimal("10"), True, "Australia/Sydney"),
)

MARKET_CODES: tuple[str, ...] = tuple(m.code for m in MARKETS)
CURRENCIES: tuple[str, ...] = tuple(dict.fromkeys(m.currency for m in MARKETS))
