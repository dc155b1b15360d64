"""Pure rules of the legal pages: which documents a market has, where their default texts are, how a text is
filled with the platform's identity and turned into safe HTML, and what a DSA notice must contain.

No ORM here (tested without a database).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

DEFAULTS_DIR = Path(__file__).resolve().parent / "defaults"
#: Languages with a shipped default text; a market in another language starts from the English one.
DEFAULT_LANGUAGES = ("en", "fr", "de", "es", "it")

TERMS_OF_USE = "terms-of-use"
TERMS_OF_SALE = "terms-of-sale"
PRIVACY = "privacy"
LEGAL_NOTICE = "legal-notice"
COOKIES = "cookies"
WITHDRAWAL_FORM = "withdrawal-form"

KIND_CHOICES = [
    (TERMS_OF_USE, _("Terms of use")),
    (TERMS_OF_SALE, _("Terms of sale")),
    (PRIVACY, _("Privacy notice")),
    (LEGAL_NOTICE, _("Legal notice")),
    (COOKIES, _("Cookie notice")),
    (WITHDRAWAL_FORM, _("Model withdrawal form")),
]
KIND_LABELS = dict(KIND_CHOICES)
KINDS = tuple(kind for kind, _label in KIND_CHOICES)

#: Countries whose consumers have the EU (Directive 2011/83/EU) or UK (CCR 2013) 14-day right of withdrawal, with
#: the model withdrawal form of its annex I(B).
WITHDRAWAL_COUNTRIES = frozenset({"FR", "BE", "DE", "AT", "ES", "IT", "NL", "PT", "IE", "GR", "SK", "SE", "GB"})
#: Countries under the EU Digital Services Act (notice and action, art. 16).
DSA_COUNTRIES = WITHDRAWAL_COUNTRIES - {"GB"}

MAX_TITLE = 200
MAX_BODY = 100_000


def kinds_for_country(country: str) -> tuple[str, ...]:
    """The documents a market publishes: the model withdrawal form only where the law gives that right."""
    return tuple(k for k in KINDS if k != WITHDRAWAL_FORM or country in WITHDRAWAL_COUNTRIES)


def default_language(language: str) -> str:
    return language if language in DEFAULT_LANGUAGES else "en"


@dataclass(frozen=True)
class DefaultText:
    title: str
    body: str


def default_text(kind: str, language: str) -> DefaultText:
    """The shipped template of ``kind`` in ``language`` (English when there is none): first line is the title."""
    if kind not in KINDS:
        raise ValueError(f"unknown legal document {kind!r}")
    path = DEFAULTS_DIR / default_language(language) / f"{kind}.txt"
    title, _sep, body = path.read_text(encoding="utf-8").partition("\n")
    return DefaultText(title=title.strip(), body=body.strip() + "\n")


_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def fill_placeholders(text: str, values: Mapping[str, str]) -> str:
    """Replace ``{{ operator_name }}``-style placeholders with the platform's identity; unknown ones stay visible."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return values[name] if name in values else match.group(0)

    return _PLACEHOLDER.sub(replace, text)


_LINK = re.compile(r"\[([^\]\n]{1,200})\]\((/[^)\s]{0,300}|https://[^)\s]{1,300})\)")


def _inline(text: str) -> str:
    """Escape, then allow **bold** and [links](/local or https://…) only."""
    escaped = str(escape(text))
    escaped = re.sub(r"\*\*([^*\n]{1,300})\*\*", r"<strong>\1</strong>", escaped)
    return _LINK.sub(lambda m: f'<a href="{m.group(2)}">{m.group(1)}</a>', escaped)


def render_body(text: str) -> SafeString:
    """A legal text written in a small, safe subset of Markdown, as HTML.

    ``## Title`` and ``### Title`` are headings, lines starting with ``- `` a list, a blank line separates
    paragraphs, ``**bold**`` and ``[text](/path or https://…)`` are kept. Everything else is escaped: an operator's
    text can never inject markup or script.
    """
    blocks: list[str] = []
    for raw_block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = [line.rstrip() for line in raw_block.split("\n") if line.strip()]
        if not lines:
            continue
        if len(lines) == 1 and lines[0].startswith("### "):
            blocks.append(f"<h3>{_inline(lines[0][4:].strip())}</h3>")
        elif len(lines) == 1 and lines[0].startswith("## "):
            blocks.append(f"<h2>{_inline(lines[0][3:].strip())}</h2>")
        elif all(line.lstrip().startswith("- ") for line in lines):
            items = "".join(f"<li>{_inline(line.lstrip()[2:].strip())}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        else:
            head = lines[0]
            if head.startswith("## ") or head.startswith("### "):
                level = 3 if head.startswith("### ") else 2
                blocks.append(f"<h{level}>{_inline(head.lstrip('#').strip())}</h{level}>")
                lines = lines[1:]
            if lines:
                blocks.append("<p>" + "<br>".join(_inline(line) for line in lines) + "</p>")
    return mark_safe("\n".join(blocks))  # noqa: S308  # every piece of text went through escape() above


# --- DSA notice and action (Regulation (EU) 2022/2065, art. 16) --------------------------------------------------

NOTICE_CATEGORIES = [
    ("counterfeit", _("Counterfeit or infringing goods (trademark, copyright, design)")),
    ("stolen", _("Stolen device or device locked to another owner")),
    ("unsafe", _("Unsafe or non-compliant product")),
    ("consumer_law", _("Misleading listing or breach of consumer law")),
    ("illegal_goods", _("Goods that may not be sold")),
    ("personal_data", _("Personal data or privacy breach")),
    ("child_abuse", _("Child sexual abuse material")),
    ("other", _("Other illegal content")),
]
NOTICE_CATEGORY_KEYS = frozenset(key for key, _label in NOTICE_CATEGORIES)
#: Art. 16(2)(c): a notice about these offences may be given without the reporter's name and email.
ANONYMOUS_CATEGORIES = frozenset({"child_abuse"})

NOTICE_DECISIONS = [
    ("removed", _("Listing removed")),
    ("restricted", _("Listing restricted (visibility or availability)")),
    ("no_action", _("No action: the content was not found to be illegal or against our terms")),
]
NOTICE_DECISION_KEYS = frozenset(key for key, _label in NOTICE_DECISIONS)

MAX_EXPLANATION = 5000
MIN_EXPLANATION = 20


@dataclass(frozen=True)
class NoticeProblem:
    field: str
    message: str


def check_notice(
    *,
    category: str,
    listing_url: str,
    explanation: str,
    reporter_name: str,
    reporter_email: str,
    good_faith: bool,
    site_hosts: frozenset[str],
) -> list[NoticeProblem]:
    """What a notice lacks of art. 16(2): reasons, the exact location (a URL of this site), name and email (except
    for the offences of ``ANONYMOUS_CATEGORIES``), and the statement of good faith."""
    from urllib.parse import urlsplit

    problems: list[NoticeProblem] = []
    if category not in NOTICE_CATEGORY_KEYS:
        problems.append(NoticeProblem("category", str(_("Choose what kind of illegal content this is."))))
    parts = urlsplit(listing_url.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc or (site_hosts and parts.hostname not in site_hosts):
        problems.append(
            NoticeProblem("listing_url", str(_("Give the full address (URL) of the listing on this site.")))
        )
    text = explanation.strip()
    if len(text) < MIN_EXPLANATION:
        problems.append(
            NoticeProblem(
                "explanation",
                str(_("Explain in a few sentences why you think this content is illegal (at least 20 characters).")),
            )
        )
    elif len(text) > MAX_EXPLANATION:
        problems.append(NoticeProblem("explanation", str(_("Keep the explanation under 5,000 characters."))))
    if category not in ANONYMOUS_CATEGORIES:
        if not reporter_name.strip():
            problems.append(NoticeProblem("reporter_name", str(_("Give your name."))))
        if not reporter_email.strip():
            problems.append(NoticeProblem("reporter_email", str(_("Give your email address."))))
    if not good_faith:
        problems.append(
            NoticeProblem(
                "good_faith",
                str(
                    _(
                        "Confirm that you believe in good faith that the information in this notice is "
                        "accurate and complete."
                    )
                ),
            )
        )
    return problems
