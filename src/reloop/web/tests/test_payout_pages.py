"""The seller payouts page and statement (owners only) and the operator payout report with its CSV export: who may
see them, what they show, and constant query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.tests.factories import VariantFactory
from reloop.core import clock
from reloop.offers.tests.factories import make_offer
from reloop.orders.domain import LineState
from reloop.orders.services import transition_line
from reloop.payments import services
from reloop.payments.models import Payout
from reloop.payments.tests.factories import deliver, make_order, refund_line
from reloop.sellers.models import MemberRole
from reloop.sellers.tests.factories import SellerFactory, SellerMemberFactory
from reloop.web.tests.helpers import queries_for

pytestmark = pytest.mark.django_db

FIRST_RUN = dt.date(2026, 12, 6)
_run_dates = itertools.count()  # each payout run date is used once (a finished run date is never paid again)


def paid_out(seller, *, runs: int = 1, price: int = 10000) -> list[Payout]:
    """``runs`` payouts to ``seller``, each of one delivered line of ``price`` (net 90%), on run dates not used
    before."""
    for _ in range(runs):
        part = make_order(lines=[(make_offer(seller=seller, variant=VariantFactory()), price)]).seller_orders.get()
        deliver(part.lines.get())
        services.release_matured_lines(today=clock.now().date() + dt.timedelta(days=14))
        services.run_payouts(run_date=FIRST_RUN + dt.timedelta(days=next(_run_dates)))
    return list(Payout.objects.filter(seller=seller).order_by("run_date"))


def staff(*, permission: bool = False, superuser: bool = False):
    person: Any = UserFactory(is_staff=True, is_superuser=superuser)
    if permission:
        person.user_permissions.add(Permission.objects.get(codename="view_payout"))
    return person


# --- Seller: /seller/payouts/ -------------------------------------------------------------------------------


class TestSellerAccess:
    def test_anonymous_is_sent_to_sign_in(self, client):
        response = client.get(reverse("seller:payouts"))
        assert response.status_code == 302
        assert "next=/seller/payouts/" in response["Location"]

    def test_a_buyer_gets_403(self, client):
        client.force_login(UserFactory())
        assert client.get(reverse("seller:payouts")).status_code == 403

    def test_staff_members_get_the_owners_only_page_and_no_menu_entry(self, client):
        member = SellerMemberFactory(role=MemberRole.STAFF)
        payout = paid_out(member.seller)[0]
        client.force_login(member.user)

        for url in (reverse("seller:payouts"), reverse("seller:payout", args=[payout.pk])):
            response = client.get(url)
            assert response.status_code == 403
            assert b"90.00" not in response.content
        assert b'href="/seller/payouts/"' not in client.get(reverse("seller:dashboard")).content

    def test_an_owner_never_sees_another_sellers_payout(self, client):
        mine, theirs = SellerMemberFactory(), SellerMemberFactory()
        other = paid_out(theirs.seller, price=77700)[0]
        client.force_login(mine.user)

        assert client.get(reverse("seller:payout", args=[other.pk])).status_code == 404
        listing = client.get(reverse("seller:payouts"))
        assert listing.status_code == 200
        assert f'data-payout="{other.pk}"'.encode() not in listing.content
        assert b"699.30" not in listing.content


class TestSellerPages:
    def test_the_page_shows_balances_history_and_a_debt_after_a_refund(self, client):
        owner = SellerMemberFactory()
        payout = paid_out(owner.seller)[0]
        line = payout.seller.seller_orders.get().lines.get()
        for state in (LineState.RETURN_REQUESTED, LineState.RETURNED, LineState.REFUNDED):
            transition_line(line_id=line.pk, to_state=state, actor=None, actor_kind="system")
        refund_line(line, gross=10000, commission_back=1000)
        client.force_login(owner.user)

        response = client.get(reverse("seller:payouts"))

        html = response.content.decode()
        assert response.status_code == 200
        assert 'data-testid="available">-£90.00 <span class="status status-failed">Owed by you' in html
        assert 'data-testid="on-hold">£0.00<' in html
        assert 'data-testid="estimate">£0.00<' in html
        assert f'data-payout="{payout.pk}"' in html
        assert "£90.00" in html
        assert b'href="/seller/payouts/" aria-current="page"' in response.content

    def test_the_statement_lists_the_lines_released_and_the_refunds_deducted(self, client):
        owner = SellerMemberFactory()
        first = paid_out(owner.seller)[0]
        sold = first.seller.seller_orders.get().lines.get()
        refund_line(sold, gross=2000, commission_back=200)  # after the payout: owed, recovered next time
        second = paid_out(owner.seller, price=30000)[-1]
        client.force_login(owner.user)

        response = client.get(reverse("seller:payout", args=[second.pk]))

        html = response.content.decode()
        assert response.status_code == 200
        assert second.amount == 27000 - 1800
        assert 'data-testid="payout-amount">£252.00<' in html
        assert f'data-refund="{sold.pk}"' in html
        assert "−£18.00" in html
        assert html.count("data-release=") == 1

    def test_the_history_runs_the_same_queries_for_1_and_10_payouts(self, client):
        one, ten = SellerMemberFactory(), SellerMemberFactory()
        paid_out(one.seller)
        paid_out(ten.seller, runs=10)
        client.force_login(one.user)
        queries_one, _ = queries_for(client, reverse("seller:payouts"))
        client.force_login(ten.user)
        queries_ten, response = queries_for(client, reverse("seller:payouts"))
        # session, user, membership; balances (2 aggregates); payouts count + page
        assert queries_one == queries_ten
        assert response.content.decode().count("data-payout=") == 10

    def test_the_statement_runs_the_same_queries_for_1_and_10_lines(self, client):
        one, ten = SellerMemberFactory(), SellerMemberFactory()
        single = paid_out(one.seller)[0]
        for _ in range(10):
            deliver(
                make_order(lines=[(make_offer(seller=ten.seller, variant=VariantFactory()), 1000)])
                .seller_orders.get()
                .lines.get()
            )
        services.release_matured_lines(today=clock.now().date() + dt.timedelta(days=14))
        services.run_payouts(run_date=FIRST_RUN + dt.timedelta(days=next(_run_dates)))
        many = Payout.objects.get(seller=ten.seller)

        client.force_login(one.user)
        queries_one, _ = queries_for(client, reverse("seller:payout", args=[single.pk]))
        client.force_login(ten.user)
        queries_ten, response = queries_for(client, reverse("seller:payout", args=[many.pk]))

        # session, user, membership; payout, previous payout, releases, refunds
        assert queries_one == queries_ten
        assert response.content.decode().count("data-release=") == 10
        assert many.amount == 9000


# --- Operator: /operator/payouts/ ---------------------------------------------------------------------------


REPORT, EXPORT = "/operator/payouts/", "/operator/payouts/export.csv"


class TestOperatorAccess:
    @pytest.mark.parametrize("url", [REPORT, EXPORT])
    def test_anonymous_is_sent_to_the_admin_login(self, client, url):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=/operator/payouts/")

    @pytest.mark.parametrize("url", [REPORT, EXPORT])
    @pytest.mark.parametrize("who", ["buyer", "seller", "staff_without_permission"])
    def test_people_without_the_permission_get_403(self, client, url, who):
        paid_out(SellerFactory(name="Hidden Seller"))
        person = {
            "buyer": UserFactory,
            "seller": lambda: SellerMemberFactory().user,
            "staff_without_permission": staff,
        }[who]()
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 403
        assert b"Hidden Seller" not in b"".join(getattr(response, "streaming_content", [response.content]))

    @pytest.mark.parametrize("who", ["finance", "superuser"])
    def test_finance_staff_and_superusers_see_the_report(self, client, who):
        paid_out(SellerFactory(name="Visible Seller"))
        client.force_login(staff(permission=True) if who == "finance" else staff(superuser=True))
        response = client.get(REPORT)
        assert response.status_code == 200
        assert b"Visible Seller" in response.content


class TestOperatorReport:
    @pytest.fixture
    def finance(self, client):
        client.force_login(staff(permission=True))

    def test_filters_and_totals(self, client, finance):
        alpha, beta = SellerFactory(name="Alpha"), SellerFactory(name="Beta")
        paid_out(alpha, runs=2)
        paid_out(beta, price=5000)

        everything = client.get(REPORT).content.decode()
        on_first = client.get(REPORT, {"run_date": Payout.objects.get(seller=beta).run_date}).content.decode()
        alpha_only = client.get(REPORT, {"seller": alpha.pk, "currency": "gbp"}).content.decode()

        assert everything.count("data-payout=") == 3
        assert '<td>3</td><td class="amount">£225.00</td><td class="amount">£225.00</td>' in everything
        assert on_first.count("data-payout=") == 1
        assert '<td>1</td><td class="amount">£45.00</td>' in on_first
        assert alpha_only.count("data-payout=") == 2
        assert "Beta</td>" not in alpha_only

    def test_a_bad_filter_is_a_form_error_not_a_500(self, client, finance):
        response = client.get(REPORT, {"run_date": "31/31/2026", "currency": "EURO", "status": "lost"})
        html = response.content.decode()
        assert response.status_code == 200
        assert 'role="alert"' in html
        for field in ("run_date", "currency", "status"):
            assert f'class="error-text" id="id_{field}-error"' in html
        assert "data-payout=" not in html
        assert client.get(EXPORT, {"status": "lost"}).status_code == 400

    def test_the_report_runs_the_same_queries_for_1_and_10_payouts(self, client, finance):
        paid_out(SellerFactory(), runs=1)
        queries_one, _ = queries_for(client, REPORT)
        paid_out(SellerFactory(), runs=9)
        queries_ten, response = queries_for(client, REPORT)
        assert queries_one == queries_ten
        assert response.content.decode().count("data-payout=") == 10

    def test_the_csv_export_streams_the_filtered_rows(self, client, finance):
        alpha = SellerFactory(name="Alpha, Ltd")
        payouts = paid_out(alpha, runs=2)
        paid_out(SellerFactory(name="Beta"))

        response = client.get(EXPORT, {"seller": alpha.pk})

        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="payouts.csv"'
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert rows[0] == [
            "run_date",
            "seller_id",
            "seller",
            "currency",
            "amount",
            "status",
            "destination",
            "ledger_transaction",
            "provider_reference",
            "created_at",
        ]
        assert [row[:8] for row in rows[1:]] == [
            [p.run_date.isoformat(), str(alpha.pk), "Alpha, Ltd", "GBP", "90.00", "paid", "", str(p.transaction_id)]
            for p in sorted(payouts, key=lambda p: p.run_date, reverse=True)
        ]
