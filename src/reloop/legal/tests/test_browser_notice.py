"""In a real browser (headless Debian Chromium): anyone reports a listing through the notice form linked in the
footer; an operator, made to set up two-factor authentication first, sees the notice in the queue and decides it.
Every page visited runs under the Content-Security-Policy without a single violation. Screenshots go to
var/screenshots/."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core import mail
from django_otp.oath import TOTP

from reloop.accounts.models import User
from reloop.legal.models import NoticeReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.VAR_DIR) / "screenshots"
PASSWORD = "a-long-browser-passw0rd"  # a throwaway test account


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def watch_csp(page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return violations


def test_a_visitor_reports_a_listing_and_the_operator_sees_and_decides_it(live_server, browser, settings):
    from playwright.sync_api import expect

    settings.RELOOP_STAFF_TWO_FACTOR = True
    operator = User.objects.create_user(username="ops@reloop.example", email="ops@reloop.example", password=PASSWORD)
    operator.is_staff = True
    operator.save()
    for codename in ("view_noticereport", "decide_noticereport"):
        operator.user_permissions.add(Permission.objects.get(codename=codename))

    visitor = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    visitor_csp = watch_csp(visitor)
    visitor.goto(f"{live_server.url}/fr-fr/")
    visitor.locator(".site-footer").get_by_role("link", name="Signaler un contenu illicite").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Signaler un contenu illicite")
    visitor.get_by_label("De quel type de contenu illicite s’agit-il ?").select_option("counterfeit")
    visitor.get_by_label("Adresse (URL) de l’annonce").fill(f"{live_server.url}/fr-fr/p/iphone-13/")
    visitor.get_by_label("Pourquoi ce contenu est-il illicite ?").fill(
        "Le vendeur présente une contrefaçon : le logo et l’emballage sont faux."
    )
    visitor.get_by_role("button", name="Envoyer le signalement").click()
    expect(visitor.get_by_role("alert")).to_be_visible()  # name, email and the good-faith statement are missing
    shot(visitor, "legal-notice-errors-fr-390")
    visitor.get_by_label("Votre nom").fill("Anne Martin")
    visitor.get_by_label("Votre adresse e-mail").fill("anne@example.fr")
    visitor.get_by_label("Je déclare de bonne foi").check()
    visitor.get_by_role("button", name="Envoyer le signalement").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Signalement reçu")
    notice = NoticeReport.objects.get()
    expect(visitor.locator("main")).to_contain_text(notice.reference)
    shot(visitor, "legal-notice-sent-fr-390")
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 390
    assert [m.to for m in mail.outbox] == [["anne@example.fr"]]

    visitor.goto(f"{live_server.url}/fr-fr/legal/withdrawal-form/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Formulaire de rétractation")
    shot(visitor, "legal-withdrawal-form-fr-390")

    ops = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    ops_csp = watch_csp(ops)
    ops.goto(f"{live_server.url}/admin/login/?next=/operator/notices/")
    ops.get_by_label("Email address").or_(ops.get_by_label("Username")).first.fill(operator.username)
    ops.get_by_label("Password").fill(PASSWORD)
    ops.get_by_role("button", name="Log in").click()
    # A password is not enough for the operator pages: set up an authenticator app first.
    expect(ops.get_by_role("heading", level=1)).to_have_text("Two-factor authentication required")
    ops.get_by_role("link", name="Set up two-factor authentication").click()
    expect(ops.locator("figure.qr svg")).to_be_visible()
    shot(ops, "legal-2fa-enrol")
    ops.get_by_text("Cannot scan? Type the key instead").click()
    secret = ops.get_by_test_id("totp-secret").inner_text().strip()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    ops.get_by_label("Code").fill(f"{TOTP(key).token():06d}")
    ops.get_by_role("button", name="Turn on").click()

    expect(ops.get_by_role("heading", level=1)).to_have_text("Notices of illegal content")
    ops.get_by_role("link", name=notice.reference).click()
    expect(ops.locator("main")).to_contain_text("contrefaçon")
    ops.get_by_label("No action: the content was not found to be illegal or against our terms").check()
    ops.get_by_label("Reasons (sent to the reporter)").fill("The listing shows the genuine packaging; no action.")
    shot(ops, "legal-operator-notice")
    ops.get_by_role("button", name="Record the decision").click()
    expect(ops.get_by_role("status")).to_contain_text("Decision recorded")
    notice.refresh_from_db()
    assert (notice.status, notice.decision) == ("decided", "no_action")
    assert mail.outbox[-1].to == ["anne@example.fr"]
    ops.goto(f"{live_server.url}/admin/")
    expect(ops.get_by_role("link", name="Notices of illegal content")).to_be_visible()
    assert visitor_csp == []
    assert ops_csp == []
