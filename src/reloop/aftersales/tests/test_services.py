"""After-sales services through the real order, payment and ledger code: who may do what, the case's path, the
line's matching states, refunds that balance the ledger and never pay twice, and the SLA job."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import IntegrityError

from reloop.accounts.tests.factories import UserFactory
from reloop.aftersales import refunds, services
from reloop.aftersales.domain import RECEIPT_DAYS, Escalation, Resolution
from reloop.aftersales.errors import CaseNotFound, CaseStateConflict, InvalidPhoto, NotEligible, RefundRefused
from reloop.aftersales.events import CaseEscalated, CaseOpened, CaseResolved
from reloop.aftersales.models import Case, CaseEvent, CaseMessage, CasePhoto
from reloop.aftersales.tests.factories import JPEG, PDF, PNG, WEBP, delivered_line, photo
from reloop.core import clock, events
from reloop.core.money import Money
from reloop.orders.domain import LineState
from reloop.orders.errors import OrderNotFound
from reloop.orders.models import OrderLine
from reloop.payments.checks import failed, run_checks
from reloop.payments.errors import RefundExceedsCaptured
from reloop.payments.models import LedgerTransaction, TestCharge, TestRefund, TransactionKind
from reloop.sellers.tests.factories import SellerMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    """Every after-sales event published (delivered on commit) during the test."""
    seen: list[object] = []
    for kind in (CaseOpened, CaseEscalated, CaseResolved):
        events.subscribe(kind, seen.append)
    yield seen
    for kind in (CaseOpened, CaseEscalated, CaseResolved):
        events._handlers[kind].remove(seen.append)


@pytest.fixture
def operator(db):
    person = UserFactory.create(email="care@reloop.test", is_staff=True)
    person.user_permissions.add(*Permission.objects.filter(codename__in=["view_case", "change_case"]))
    return person


def open_return(sale, **kwargs):
    fields = {"reason": "change_of_mind", "description": "Too big for my hand."} | kwargs
    return services.open_return(actor=sale.buyer, line_id=sale.line.pk, **fields)


def line_state(sale) -> str:
    return OrderLine.objects.get(pk=sale.line.pk).state


def ledger_is_sound() -> list[str]:
    return [result.name for result in failed(run_checks())]


def to_received(sale, case):
    services.answer_case(actor=sale.seller_user, case_id=case.pk, answer="accept", note="Print the label inside.")
    services.mark_shipped_back(actor=sale.buyer, case_id=case.pk, carrier="royal_mail", tracking_number="AB123456789GB")
    return services.confirm_receipt(actor=sale.seller_user, case_id=case.pk)


class TestOpening:
    def test_the_buyer_opens_a_return_the_line_waits_and_the_seller_is_told(
        self, django_capture_on_commit_callbacks, published
    ):
        sale = delivered_line()
        with django_capture_on_commit_callbacks(execute=True):
            case = open_return(sale, photos=[photo(JPEG), photo(PNG, "b.png"), photo(WEBP, "c.webp")])

        case.refresh_from_db()
        assert (case.state, case.kind, case.seller_id, case.buyer_id, case.currency) == (
            "opened",
            "return",
            sale.seller.pk,
            sale.buyer.pk,
            "GBP",
        )
        assert case.answer_due_at > case.opened_at
        assert line_state(sale) == LineState.RETURN_REQUESTED
        assert list(case.photos.values_list("position", "content_type")) == [
            (1, "image/jpeg"),
            (2, "image/png"),
            (3, "image/webp"),
        ]
        assert all(p.file.name.startswith(f"aftersales/{case.pk}/") for p in case.photos.all())
        assert published == [
            CaseOpened(case.pk, "return", "change_of_mind", sale.seller.pk, sale.line.pk, is_defect=False)
        ]
        assert [m.to for m in mail.outbox] == [[sale.seller_user.email]]
        assert "please answer within 1 business day" in mail.outbox[0].subject
        assert "(Europe/London)" in mail.outbox[0].body  # deadlines in the order's market time zone
        assert f"http://127.0.0.1:8000/seller/returns/{case.pk}/" in mail.outbox[0].body

    def test_a_warranty_claim_leaves_the_line_alone_and_counts_as_a_defect(
        self, published, django_capture_on_commit_callbacks
    ):
        sale = delivered_line()
        with django_capture_on_commit_callbacks(execute=True):
            case = services.open_warranty_claim(
                actor=sale.buyer, line_id=sale.line.pk, reason="defective", description="No sound."
            )
        assert line_state(sale) == LineState.DELIVERED
        assert published[0].is_defect is True
        assert case.kind == "warranty"

    def test_another_buyer_is_told_the_line_does_not_exist_and_nothing_is_written(self):
        sale = delivered_line()
        with pytest.raises(OrderNotFound):
            services.open_return(actor=UserFactory.create(), line_id=sale.line.pk, reason="other", description="x")
        assert Case.objects.count() == 0
        assert line_state(sale) == LineState.DELIVERED

    def test_a_line_not_yet_delivered_cannot_be_returned(self):
        sale = delivered_line(state=LineState.SHIPPED)
        with pytest.raises(NotEligible) as error:
            open_return(sale)
        assert error.value.code == "not_delivered"
        assert Case.objects.count() == 0

    def test_after_thirty_days_a_return_is_refused_but_the_warranty_is_open(self):
        # Paid in October (outside the holiday season, which would stretch the window to 31 January), asked on
        # 14 November: 40 days after delivery.
        now = dt.datetime(2027, 11, 14, 10, tzinfo=dt.UTC)
        with clock.frozen_at(now):
            sale = delivered_line(delivered_at=now - dt.timedelta(days=40), paid_at=now - dt.timedelta(days=45))
            with pytest.raises(NotEligible) as error:
                open_return(sale)
            assert error.value.code == "window_closed"
            case = services.open_warranty_claim(
                actor=sale.buyer, line_id=sale.line.pk, reason="defective", description="x"
            )
        assert case.state == "opened"

    def test_one_open_case_per_line(self):
        sale = delivered_line()
        services.open_warranty_claim(actor=sale.buyer, line_id=sale.line.pk, reason="defective", description="x")
        with pytest.raises(NotEligible) as error:
            services.open_warranty_claim(actor=sale.buyer, line_id=sale.line.pk, reason="defective", description="y")
        assert error.value.code == "case_already_open"
        assert Case.objects.count() == 1

    def test_the_database_refuses_a_second_open_case_on_a_line_too(self):
        sale = delivered_line()
        case = open_return(sale)
        with pytest.raises(IntegrityError):
            Case.objects.create(
                kind="warranty", line=case.line, order=case.order, buyer=case.buyer, seller=case.seller,
                reason="defective", description="x", currency="GBP", opened_at=case.opened_at,
                answer_due_at=case.answer_due_at,
            )  # fmt: skip

    def test_a_warranty_claim_cannot_be_a_change_of_mind(self):
        sale = delivered_line()
        with pytest.raises(services.InvalidCaseInput) as error:
            services.open_warranty_claim(
                actor=sale.buyer, line_id=sale.line.pk, reason="change_of_mind", description="x"
            )
        assert error.value.code == "invalid_reason"

    @pytest.mark.parametrize(
        ("photos", "code"),
        [
            ([photo(PDF, "receipt.jpg")], "photo_type"),  # a PDF named .jpg
            ([photo(b"GIF89a" + b"\0" * 20, "anim.gif")], "photo_type"),
            ([photo(JPEG + b"\0" * (5 * 1024 * 1024), "huge.jpg")], "photo_too_large"),
            ([photo(JPEG, f"{n}.jpg") for n in range(6)], "too_many_photos"),
            ([photo(b"", "empty.jpg")], "empty_photo"),
        ],
    )
    def test_photos_are_checked_by_their_bytes_and_size_before_anything_is_written(self, photos, code, settings):
        sale = delivered_line()
        with pytest.raises(InvalidPhoto) as error:
            open_return(sale, photos=photos)
        assert error.value.code == code
        assert (Case.objects.count(), CasePhoto.objects.count(), line_state(sale)) == (0, 0, LineState.DELIVERED)
        assert not (settings.MEDIA_ROOT / "aftersales").exists()

    def test_five_photos_of_exactly_five_megabytes_are_accepted(self):
        sale = delivered_line()
        big = JPEG + b"\0" * (5 * 1024 * 1024 - len(JPEG))
        case = open_return(sale, photos=[photo(big, f"{n}.jpg") for n in range(5)])
        assert list(case.photos.values_list("size", flat=True)) == [5 * 1024 * 1024] * 5


class TestTheReturnTrip:
    def test_accept_ship_back_receive_and_refund_in_full(self, django_capture_on_commit_callbacks, published):
        sale = delivered_line(price=30000)
        case = open_return(sale)
        with django_capture_on_commit_callbacks(execute=True):
            to_received(sale, case)
        assert line_state(sale) == LineState.RETURNED
        with django_capture_on_commit_callbacks(execute=True):
            case = services.refund_case(actor=sale.seller_user, case_id=case.pk)

        assert (case.state, case.resolution, case.refund_amount, case.refund_commission) == (
            "resolved",
            "refunded",
            30000,
            3000,
        )
        assert line_state(sale) == LineState.REFUNDED
        assert TestCharge.objects.get().refunded_amount == 30000
        assert ledger_is_sound() == []
        assert list(CaseEvent.objects.filter(case=case).values_list("from_state", "to_state", "role")) == [
            ("", "opened", "buyer"),
            ("opened", "awaiting_return", "seller"),
            ("awaiting_return", "shipped_back", "buyer"),
            ("shipped_back", "received", "seller"),
            ("received", "resolved", "seller"),
        ]
        assert [type(e).__name__ for e in published] == ["CaseResolved"]
        assert published[0].refund_amount == 30000
        # The buyer heard of the answer, the receipt and the refund; the seller of the parcel sent back.
        assert [(m.to, m.subject.split(":")[-1].strip()) for m in mail.outbox] == [
            ([sale.buyer.email], "the seller answered, please send the item back"),
            ([sale.seller_user.email], "the buyer sent the item back"),
            ([sale.buyer.email], "the seller received your item"),
            ([sale.buyer.email], "refunded"),
        ]
        assert "£300.00 was refunded" in mail.outbox[-1].body

    def test_a_partial_refund_gives_back_the_commission_pro_rata_and_the_ledger_balances(self):
        sale = delivered_line(price=30000)
        case = open_return(sale, reason="not_as_described")
        to_received(sale, case)
        case = services.refund_case(actor=sale.seller_user, case_id=case.pk, amount=Money(10000, "GBP"))
        assert (case.refund_amount, case.refund_commission) == (10000, 1000)
        assert TestCharge.objects.get().refunded_amount == 10000
        refund = LedgerTransaction.objects.get(kind=TransactionKind.REFUND)
        assert sorted((p.account.code, p.amount) for p in refund.postings.all()) == [
            ("platform:commission", 1000),
            ("psp:receivable", -10000),
            (f"seller:{sale.seller.pk}:payable", 9000),
        ]
        assert ledger_is_sound() == []

    def test_a_refund_above_the_line_total_is_refused_and_nothing_moves(self):
        sale = delivered_line(price=30000)
        case = open_return(sale)
        with pytest.raises(RefundRefused) as error:
            services.refund_case(actor=sale.seller_user, case_id=case.pk, amount=Money(30001, "GBP"))
        assert error.value.code == "refund_exceeds_line"
        case.refresh_from_db()
        assert (case.state, case.refund_amount) == ("opened", None)
        assert (TestRefund.objects.count(), LedgerTransaction.objects.filter(kind="refund").count()) == (0, 0)

    def test_a_retried_refund_pays_back_once(self):
        sale = delivered_line()
        case = open_return(sale)
        first = services.refund_case(actor=sale.seller_user, case_id=case.pk)
        again = services.refund_case(actor=sale.seller_user, case_id=case.pk)
        assert first.pk == again.pk
        assert (TestRefund.objects.count(), LedgerTransaction.objects.filter(kind="refund").count()) == (1, 1)
        with pytest.raises(RefundRefused) as error:
            services.refund_case(actor=sale.seller_user, case_id=case.pk, amount=Money(100, "GBP"))
        assert error.value.code == "already_refunded"

    def test_a_crash_after_the_provider_paid_is_finished_by_the_retry_without_paying_twice(self, monkeypatch):
        sale = delivered_line()
        case = open_return(sale)
        real_settle = refunds._settle_refund

        def crash(*args, **kwargs):
            raise ConnectionError("worker killed")

        monkeypatch.setattr(refunds, "_settle_refund", crash)
        with pytest.raises(ConnectionError):
            services.refund_case(actor=sale.seller_user, case_id=case.pk, amount=Money(12000, "GBP"))
        case.refresh_from_db()
        assert (case.state, case.refund_amount, case.refunded_at) == ("opened", 12000, None)
        assert TestRefund.objects.count() == 1

        monkeypatch.setattr(refunds, "_settle_refund", real_settle)
        with pytest.raises(RefundRefused) as error:  # another amount while the first is being paid
            services.refund_case(actor=sale.seller_user, case_id=case.pk, amount=Money(5000, "GBP"))
        assert error.value.code == "refund_in_progress"
        case = services.refund_case(actor=sale.seller_user, case_id=case.pk)
        assert (case.state, case.refund_amount) == ("resolved", 12000)
        assert TestCharge.objects.get().refunded_amount == 12000
        assert (TestRefund.objects.count(), LedgerTransaction.objects.filter(kind="refund").count()) == (1, 1)
        assert ledger_is_sound() == []

    def test_a_provider_refusal_releases_the_claim(self, monkeypatch):
        sale = delivered_line()
        case = open_return(sale)

        class Refusing:
            def refund(self, **kwargs):
                raise RefundExceedsCaptured("nothing left on the charge")

        monkeypatch.setattr(refunds, "get_provider", Refusing)
        with pytest.raises(RefundExceedsCaptured):
            services.refund_case(actor=sale.seller_user, case_id=case.pk)
        case.refresh_from_db()
        assert (case.state, case.refund_amount, case.refund_commission) == ("opened", None, None)
        assert LedgerTransaction.objects.filter(kind="refund").count() == 0

    def test_a_refused_return_puts_the_line_back_and_the_buyer_may_dispute(self, operator, published):
        sale = delivered_line()
        case = open_return(sale, reason="defective")
        services.answer_case(actor=sale.seller_user, case_id=case.pk, answer="refuse", note="Water damage inside.")
        assert (Case.objects.get(pk=case.pk).state, line_state(sale)) == ("refused", LineState.DELIVERED)
        with pytest.raises(CaseStateConflict):
            services.mark_shipped_back(actor=sale.buyer, case_id=case.pk, carrier="dhl", tracking_number="1234")

        case = services.dispute_refusal(actor=sale.buyer, case_id=case.pk, reason="It never touched water.")
        assert (case.state, case.escalation_reason) == ("escalated", Escalation.REFUSAL_DISPUTED)
        assert CaseMessage.objects.get(case=case).body == "It never touched water."

        case = services.decide_case(
            actor=operator, case_id=case.pk, decision="refund", note="Refund at the seller's expense."
        )
        assert (case.state, case.resolution, case.refund_amount) == ("resolved", "refunded", 30000)
        assert line_state(sale) == LineState.REFUNDED
        assert ledger_is_sound() == []
        assert CaseMessage.objects.filter(case=case, role="operator").count() == 1

    def test_the_operator_may_close_an_escalated_return_and_the_sale_stands(self, operator):
        sale = delivered_line()
        case = open_return(sale)
        services.escalate_overdue_cases(now=case.answer_due_at + dt.timedelta(minutes=1))
        case = services.decide_case(actor=operator, case_id=case.pk, decision="close", note="The buyer kept it.")
        assert (case.state, case.resolution) == ("closed", Resolution.CLOSED)
        assert line_state(sale) == LineState.DELIVERED
        assert TestRefund.objects.count() == 0

    def test_a_repair_keeps_the_sale(self):
        sale = delivered_line(state=LineState.COMPLETED)
        case = services.open_warranty_claim(actor=sale.buyer, line_id=sale.line.pk, reason="defective", description="x")
        services.answer_case(actor=sale.seller_user, case_id=case.pk, answer="offer_repair", note="Send it to us.")
        services.mark_shipped_back(actor=sale.buyer, case_id=case.pk, carrier="dpd", tracking_number="0123 4567")
        services.confirm_receipt(actor=sale.seller_user, case_id=case.pk)
        case = services.resolve_case(
            actor=sale.seller_user, case_id=case.pk, resolution="repaired", note="New screen; back by DPD 999."
        )
        assert (case.state, case.resolution, case.remedy) == ("resolved", "repaired", "repair")
        assert line_state(sale) == LineState.COMPLETED

    def test_a_warranty_refund_on_a_completed_line(self):
        sale = delivered_line(state=LineState.COMPLETED)
        case = services.open_warranty_claim(actor=sale.buyer, line_id=sale.line.pk, reason="defective", description="x")
        services.refund_case(actor=sale.seller_user, case_id=case.pk)
        assert line_state(sale) == LineState.REFUNDED

    def test_repair_needs_the_unit_first(self):
        sale = delivered_line()
        case = services.open_warranty_claim(actor=sale.buyer, line_id=sale.line.pk, reason="defective", description="x")
        with pytest.raises(CaseStateConflict):
            services.resolve_case(actor=sale.seller_user, case_id=case.pk, resolution="replaced", note="x")
        assert Case.objects.get(pk=case.pk).state == "opened"

    def test_an_unknown_carrier_is_refused(self):
        sale = delivered_line()
        case = open_return(sale)
        services.answer_case(actor=sale.seller_user, case_id=case.pk, answer="accept", note="Label inside.")
        with pytest.raises(services.InvalidCaseInput) as error:
            services.mark_shipped_back(actor=sale.buyer, case_id=case.pk, carrier="pigeon", tracking_number="1")
        assert error.value.code == "unknown_carrier"


class TestWhoMayDoWhat:
    def test_only_the_case_s_seller_answers(self, operator):
        sale, other = delivered_line(), delivered_line()
        case = open_return(sale)
        for stranger in (other.seller_user, sale.buyer, other.buyer, operator):
            with pytest.raises(CaseNotFound):
                services.answer_case(actor=stranger, case_id=case.pk, answer="accept", note="x")
        assert Case.objects.get(pk=case.pk).state == "opened"

    def test_a_staff_member_of_the_seller_may_answer(self):
        sale = delivered_line()
        staff = SellerMemberFactory.create(seller=sale.seller, role="staff").user
        case = open_return(sale)
        assert services.answer_case(actor=staff, case_id=case.pk, answer="accept", note="x").state == "awaiting_return"

    def test_only_the_buyer_ships_back(self):
        sale, other = delivered_line(), delivered_line()
        case = open_return(sale)
        services.answer_case(actor=sale.seller_user, case_id=case.pk, answer="accept", note="x")
        for stranger in (other.buyer, sale.seller_user):
            with pytest.raises(CaseNotFound):
                services.mark_shipped_back(actor=stranger, case_id=case.pk, carrier="dhl", tracking_number="1")

    def test_an_operator_without_the_decide_permission_cannot_decide(self, db):
        sale = delivered_line()
        case = open_return(sale)
        services.escalate_overdue_cases(now=case.answer_due_at + dt.timedelta(minutes=1))
        viewer = UserFactory.create(is_staff=True)
        viewer.user_permissions.add(Permission.objects.get(codename="view_case"))
        with pytest.raises(CaseNotFound):
            services.decide_case(actor=viewer, case_id=case.pk, decision="close", note="x")
        assert Case.objects.get(pk=case.pk).state == "escalated"

    def test_the_seller_cannot_refund_an_escalated_case(self):
        sale = delivered_line()
        case = open_return(sale)
        services.escalate_overdue_cases(now=case.answer_due_at + dt.timedelta(minutes=1))
        with pytest.raises(CaseStateConflict):
            services.refund_case(actor=sale.seller_user, case_id=case.pk)
        assert TestRefund.objects.count() == 0


class TestEscalation:
    def test_overdue_cases_are_escalated_once_however_often_the_job_runs(
        self, operator, settings, django_capture_on_commit_callbacks, published
    ):
        settings.RELOOP_AFTERSALES_EMAIL = ["care@reloop.test"]
        late, on_time = delivered_line(), delivered_line()
        case = open_return(late)
        fresh = open_return(on_time)
        Case.objects.filter(pk=fresh.pk).update(answer_due_at=case.answer_due_at + dt.timedelta(days=3))
        later = case.answer_due_at + dt.timedelta(hours=1)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.escalate_overdue_cases(now=later) == 1
            assert services.escalate_overdue_cases(now=later) == 0
        case.refresh_from_db()
        assert (case.state, case.escalation_reason) == ("escalated", "answer_overdue")
        assert Case.objects.get(pk=fresh.pk).state == "opened"
        assert CaseEvent.objects.filter(case=case, to_state="escalated").count() == 1
        assert published == [CaseEscalated(case.pk, "return", "change_of_mind", late.seller.pk, "answer_overdue")]
        assert sorted(m.to[0] for m in mail.outbox) == sorted(
            [late.buyer.email, late.seller_user.email, "care@reloop.test"]
        )

    def test_a_unit_not_dealt_with_five_business_days_after_receipt_is_escalated(self):
        sale = delivered_line()
        case = to_received(sale, open_return(sale))
        assert services.escalate_overdue_cases(now=case.resolve_due_at) == 0
        assert services.escalate_overdue_cases(now=case.resolve_due_at + dt.timedelta(seconds=1)) == 1
        assert Case.objects.get(pk=case.pk).escalation_reason == "resolution_overdue"

    def test_a_unit_sent_back_and_never_confirmed_received_is_escalated_after_the_receipt_days(self):
        # Given a return the buyer shipped back, which the seller never confirms receiving
        sale = delivered_line()
        case = open_return(sale)
        services.answer_case(actor=sale.seller_user, case_id=case.pk, answer="accept", note="Label inside.")
        case = services.mark_shipped_back(
            actor=sale.buyer, case_id=case.pk, carrier="royal_mail", tracking_number="AB123456789GB"
        )
        deadline = case.shipped_back_at + dt.timedelta(days=RECEIPT_DAYS)
        # Then it waits until the deadline, and goes to the operator once after it
        assert services.escalate_overdue_cases(now=deadline) == 0
        assert services.escalate_overdue_cases(now=deadline + dt.timedelta(seconds=1)) == 1
        assert services.escalate_overdue_cases(now=deadline + dt.timedelta(days=1)) == 0
        assert (Case.objects.get(pk=case.pk).state, Case.objects.get(pk=case.pk).escalation_reason) == (
            "escalated",
            "receipt_overdue",
        )

    def test_a_case_answered_in_time_is_not_escalated(self):
        sale = delivered_line()
        case = open_return(sale)
        services.answer_case(actor=sale.seller_user, case_id=case.pk, answer="accept", note="x")
        assert services.escalate_overdue_cases(now=case.answer_due_at + dt.timedelta(days=30)) == 0


class TestThread:
    def test_every_party_writes_and_the_others_are_emailed(self, operator, django_capture_on_commit_callbacks):
        sale = delivered_line()
        case = open_return(sale)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.post_message(actor=sale.buyer, case_id=case.pk, body="Any news?")
            services.post_message(actor=sale.seller_user, case_id=case.pk, body="Label sent.")
            services.post_message(actor=operator, case_id=case.pk, body="We are watching.")
        assert list(case.messages.values_list("role", "body")) == [
            ("buyer", "Any news?"),
            ("seller", "Label sent."),
            ("operator", "We are watching."),
        ]
        assert [m.to for m in mail.outbox] == [
            [sale.seller_user.email],
            [sale.buyer.email],
            [sale.buyer.email],
            [sale.seller_user.email],
        ]

    def test_strangers_cannot_post_and_empty_messages_are_refused(self):
        sale, other = delivered_line(), delivered_line()
        case = open_return(sale)
        with pytest.raises(CaseNotFound):
            services.post_message(actor=other.seller_user, case_id=case.pk, body="hello")
        with pytest.raises(services.InvalidCaseInput):
            services.post_message(actor=sale.buyer, case_id=case.pk, body="   ")
        assert CaseMessage.objects.count() == 0
