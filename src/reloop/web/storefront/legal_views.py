"""Public legal pages of a market and the DSA notice-and-action form (anyone, signed in or not).

Views parse, call ``reloop.legal`` services and selectors, and render. A page shows the version in force of the
market's document (the shipped template until an operator publishes a reviewed one, and says so).
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from reloop.legal import domain, selectors, services
from reloop.legal.errors import InvalidNotice, VersionNotFound
from reloop.legal.identity import platform_identity
from reloop.web.form_parts import add_field_errors
from reloop.web.storefront.legal_forms import NoticeForm


@require_safe
def legal_page(request: HttpRequest, kind: str) -> HttpResponse:
    """One legal document of the request's market. Queries: the version in force (one), plus one the first time."""
    market = request.market  # type: ignore[attr-defined]
    try:
        version = services.current_version(market=market.code, kind=kind)
    except VersionNotFound as exc:
        raise Http404(exc.message) from exc
    body = domain.render_body(domain.fill_placeholders(version.body, platform_identity()))
    return render(
        request,
        "legal/page.html",
        {"version": version, "body": body, "kind": kind, "kind_label": domain.KIND_LABELS[kind]},
    )


def _site_hosts(request: HttpRequest) -> frozenset[str]:
    from django.conf import settings

    hosts = {request.get_host().split(":")[0]}
    site = urlsplit(settings.RELOOP_SITE_URL).hostname
    if site:
        hosts.add(site)
    return frozenset(hosts)


@require_http_methods(["GET", "POST"])
def notice_form(request: HttpRequest) -> HttpResponse:
    """Report illegal content (DSA art. 16). ``?url=…&offer=…`` pre-fills the listing from a "report" link."""
    market = request.market  # type: ignore[attr-defined]
    user = request.user if request.user.is_authenticated else None
    if request.method == "POST":
        form = NoticeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                notice = services.submit_notice(
                    market=market.code,
                    submission_key=data["submission_key"],
                    category=data["category"],
                    listing_url=data["listing_url"],
                    explanation=data["explanation"],
                    reporter_name=data["reporter_name"],
                    reporter_email=data["reporter_email"],
                    good_faith=bool(data["good_faith"]),
                    reporter=user,
                    offer_id=data.get("offer"),
                    site_hosts=_site_hosts(request),
                )
            except InvalidNotice as exc:
                add_field_errors(form, exc.field_errors)
            else:
                return HttpResponseRedirect(
                    reverse("web:notice_sent") + f"?ref={notice.reference}&key={notice.submission_key}"
                )
    else:
        offer = request.GET.get("offer", "")
        listing_url = request.GET.get("url", "")
        referer = request.headers.get("referer", "")
        if not listing_url and referer and urlsplit(referer).hostname in _site_hosts(request):
            listing_url = referer  # the "Report this listing" link on the product page
        initial = {
            "listing_url": listing_url[:500],
            "offer": int(offer) if offer.isascii() and offer.isdigit() and 0 < len(offer) < 18 else None,
            "submission_key": secrets.token_urlsafe(24),
        }
        if user is not None:
            initial["reporter_name"] = user.get_full_name()
            initial["reporter_email"] = user.email or ""
        form = NoticeForm(initial=initial)
    # Name and email are required except for one kind of notice (legal.domain): no "(optional)" mark on them.
    about_fields = [form["reporter_name"], form["reporter_email"]]
    return render(
        request, "legal/notice_form.html", {"form": form, "identity": platform_identity(), "about_fields": about_fields}
    )


@require_safe
def notice_sent(request: HttpRequest) -> HttpResponse:
    """The confirmation page: only the person holding the form's submission key sees the notice's details."""
    notice = selectors.notice_by_receipt(
        reference=request.GET.get("ref", ""), submission_key=request.GET.get("key", "")
    )
    if notice is None:
        raise Http404("No such notice.")
    return render(request, "legal/notice_sent.html", {"notice": notice})
