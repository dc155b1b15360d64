"""The 500 page in the market's language: Django's own handler renders ``500.html`` without the request, so it
could not know the market. Kept minimal: nothing here may query the database or fail again."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseServerError
from django.template import loader
from django.urls import reverse
from django.utils import translation

from reloop.web.templatetags.console_tags import page_language


def server_error(request: HttpRequest) -> HttpResponseServerError:
    market = getattr(request, "market", None)
    language = getattr(market, "code", None) or translation.get_language() or "en"
    try:
        with translation.override(language):
            home = reverse("web:home")
            lang = page_language({"market": market})
            body = loader.get_template("500.html").render({"lang": lang, "home": home})
    except Exception:  # the error page must not fail: plain text as a last resort
        body = "<h1>Server error (500)</h1>"
    return HttpResponseServerError(body)
