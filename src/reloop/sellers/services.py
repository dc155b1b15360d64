"""Seller writes: standing, quality score and the new-seller cap (which move buy boxes), API keys, the team and
its invitations, vetting applications, and loading the demo refurbishers."""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from reloop.accounts.models import User
from reloop.core import clock
from reloop.core.errors import InvalidInput
from reloop.core.events import publish
from reloop.sellers.conf import new_seller_cap
from reloop.sellers.domain import InvalidApplication, clean_email, clean_rejection_reason, validate_application
from reloop.sellers.errors import (
    ApplicationAlreadyDecided,
    ApplicationNotFound,
    ApplicationRefused,
    InvalidInvitation,
    InvitationNotFound,
    InvitationUnusable,
    LastOwner,
    MemberNotFound,
    NotAllowed,
    SellerTokenNotFound,
)
from reloop.sellers.events import SellerStandingChanged
from reloop.sellers.models import (
    INVITATION_DAYS,
    ApplicationStatus,
    MemberRole,
    Seller,
    SellerApplication,
    SellerInvitation,
    SellerMember,
    SellerToken,
    Standing,
)
from reloop.sellers.selectors import hash_token

logger = logging.getLogger(__name__)

#: Who may vet seller applications and change a seller's standing (operators; superusers have it).
VETTING_PERMISSION = "sellers.change_sellerapplication"
#: Demo refurbishers count as approved long ago: the new-seller cap never applies to them.
DEMO_APPROVED_AT = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)

DEMO_SELLERS_FILE = Path(__file__).resolve().parent / "data" / "demo_sellers.json"


@transaction.atomic
def load_demo_sellers(*, path: Path = DEMO_SELLERS_FILE) -> int:
    """Create or update the demo refurbishers (active unless the file says otherwise); idempotent on the slug."""
    rows = json.loads(path.read_text(encoding="utf-8"))["sellers"]
    for raw in rows:
        Seller.objects.update_or_create(
            slug=slugify(raw["name"]),
            defaults={
                "name": raw["name"],
                "legal_name": raw["legal_name"],
                "country": raw["country"],
                "city": raw.get("city", ""),
                "founded_year": raw.get("founded_year"),
                "description": raw.get("description", ""),
                "standing": raw.get("standing", Standing.ACTIVE),
                "approved_at": DEMO_APPROVED_AT,
            },
        )
    return len(rows)


def _standing_changed(seller: Seller) -> None:
    publish(SellerStandingChanged(seller.pk))


@transaction.atomic
def set_seller_standing(*, seller: Seller, standing: str) -> Seller:
    """Activate, suspend or return a seller to review. Buy boxes are refreshed on commit."""
    if standing not in Standing.values:
        raise InvalidInput(f"Unknown standing {standing!r}; use one of {', '.join(Standing.values)}")
    updated = Seller.objects.filter(pk=seller.pk).exclude(standing=standing).update(standing=standing)
    seller.standing = standing
    if updated:
        _standing_changed(seller)
    return seller


@transaction.atomic
def set_quality_score(*, seller: Seller, score: int) -> Seller:
    """Record a new 0-100 quality score (computed by the quality app); it feeds the buy-box penalty."""
    if not 0 <= score <= 100:
        raise InvalidInput(f"A quality score is between 0 and 100, not {score}")
    updated = Seller.objects.filter(pk=seller.pk).exclude(quality_score=score).update(quality_score=score)
    seller.quality_score = score
    if updated:
        _standing_changed(seller)
    return seller


# --- API keys -------------------------------------------------------------------------------------------

TOKEN_PREFIX = "rlp"  # noqa: S105  # a public marker that says what the key is, not a secret
MAX_TOKEN_NAME = 100


@transaction.atomic(durable=True)
def create_seller_token(*, seller: Seller, name: str) -> tuple[SellerToken, str]:
    """Create an API key for ``seller``: ``rlp_<prefix>_<secret>``. The key is returned here and never again;
    only its SHA-256 is stored."""
    name = name.strip()
    if not name or len(name) > MAX_TOKEN_NAME:
        raise InvalidInput(f"A token name is 1 to {MAX_TOKEN_NAME} characters", code="invalid_token_name")
    prefix = secrets.token_hex(4)  # 8 characters, never an underscore
    raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = SellerToken.objects.create(seller=seller, name=name, key_prefix=prefix, key_hash=hash_token(raw))
    return token, raw


@transaction.atomic(durable=True)
def revoke_seller_token(*, seller: Seller, token_id: int) -> SellerToken:
    """Revoke one of ``seller``'s keys (idempotent). Another seller's key is answered like a missing one."""
    token = SellerToken.objects.filter(seller=seller, pk=token_id).first()
    if token is None:
        raise SellerTokenNotFound(f"No token {token_id}")
    now = clock.now()
    if SellerToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
        token.revoked_at = now
    else:
        token.refresh_from_db(fields=["revoked_at"])
    return token


# --- Team -------------------------------------------------------------------------------------------------


@transaction.atomic
def add_seller_member(*, seller: Seller, user: User, role: str = MemberRole.STAFF) -> SellerMember:
    """Give ``user`` access to ``seller``'s back office with ``role``. Idempotent for the same seller; a person
    already working for another seller is refused (one seller per person)."""
    if role not in MemberRole.values:
        raise InvalidInput(f"Unknown role {role!r}; use one of {', '.join(MemberRole.values)}", code="invalid_role")
    member, created = SellerMember.objects.get_or_create(user=user, defaults={"seller": seller, "role": role})
    if member.seller_id != seller.pk:
        raise InvalidInput("This person already works for another seller", code="member_of_another_seller")
    if not created and member.role != role:
        SellerMember.objects.filter(pk=member.pk).update(role=role)
        member.role = role
    return member


def _authorize_owner(*, actor: User, seller: Seller) -> None:
    """Only an owner of ``seller`` manages its team (the web checks it too; the service does not trust it)."""
    if not SellerMember.objects.filter(seller=seller, user=actor, role=MemberRole.OWNER).exists():
        raise NotAllowed(_("Only an owner of %(seller)s can manage its team") % {"seller": seller.name})


def _lock_seller(seller: Seller) -> None:
    """Serialise team changes of one seller, so two owners demoting each other cannot both succeed (a row lock
    on PostgreSQL; SQLite's IMMEDIATE transactions already run one writer at a time)."""
    Seller.objects.select_for_update().filter(pk=seller.pk).values_list("pk", flat=True).first()


def _email_on_commit(*, to: str, subject: str, body: str) -> None:
    """Send one email once the transaction commits: a rolled-back change never emails anyone."""
    transaction.on_commit(lambda: send_mail(subject, body, None, [to]))


@transaction.atomic(durable=True)
def change_member_role(*, actor: User, seller: Seller, member_id: int, role: str) -> SellerMember:
    """Make a member of ``seller`` an owner or staff. Idempotent; the last owner cannot be made staff."""
    if role not in MemberRole.values:
        raise InvalidInput(f"Unknown role {role!r}; use one of {', '.join(MemberRole.values)}", code="invalid_role")
    _lock_seller(seller)  # first, so the actor's own role is read after any concurrent change
    _authorize_owner(actor=actor, seller=seller)
    member = SellerMember.objects.select_related("user").filter(seller=seller, pk=member_id).first()
    if member is None:
        raise MemberNotFound(_("This person is not in your team"))
    if member.role == role:
        return member
    if role == MemberRole.STAFF and not _other_owner_exists(member):
        raise LastOwner(
            _("%(seller)s needs at least one owner: make someone else owner first") % {"seller": seller.name}
        )
    SellerMember.objects.filter(pk=member.pk).update(role=role)
    member.role = role
    return member


def _other_owner_exists(member: SellerMember) -> bool:
    return SellerMember.objects.filter(seller_id=member.seller_id, role=MemberRole.OWNER).exclude(pk=member.pk).exists()


@transaction.atomic(durable=True)
def remove_seller_member(*, actor: User, seller: Seller, member_id: int) -> None:
    """Take someone out of ``seller``'s team (an owner may leave if another owner stays)."""
    _lock_seller(seller)  # first, so the actor's own role is read after any concurrent change
    _authorize_owner(actor=actor, seller=seller)
    member = SellerMember.objects.filter(seller=seller, pk=member_id).first()
    if member is None:
        raise MemberNotFound(_("This person is not in your team"))
    if member.is_owner and not _other_owner_exists(member):
        raise LastOwner(
            _("%(seller)s needs at least one owner: make someone else owner first") % {"seller": seller.name}
        )
    member.delete()


# --- Invitations ------------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def invite_seller_member(
    *, actor: User, seller: Seller, email: str, role: str, link_for: Callable[[str], str]
) -> tuple[SellerInvitation, str]:
    """Invite ``email`` to ``seller``'s team with ``role``; the link (``link_for(token)``) is emailed on commit.

    A new invitation to the same address replaces the open one (which stops working). Returns the invitation
    and the raw token (stored only as its SHA-256).
    """
    _authorize_owner(actor=actor, seller=seller)
    if role not in MemberRole.values:
        raise InvalidInvitation(_("Choose a role: owner or staff"), code="invalid_role")
    try:
        email = clean_email(email)
    except Exception:  # FieldInvalid carries the message; any bad address gets the same answer
        raise InvalidInvitation(_("Enter a valid email address"), code="invalid_email") from None
    if SellerMember.objects.filter(seller=seller, user__email__iexact=email).exists():
        raise InvalidInvitation(_("%(email)s is already in your team") % {"email": email}, code="already_member")
    now = clock.now()
    SellerInvitation.objects.filter(
        seller=seller, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    raw = secrets.token_urlsafe(32)
    invitation = SellerInvitation.objects.create(
        seller=seller,
        email=email,
        role=role,
        token_hash=hash_token(raw),
        invited_by=actor,
        expires_at=now + dt.timedelta(days=INVITATION_DAYS),
    )
    _email_on_commit(
        to=email,
        subject=_("Join %(seller)s on Reloop") % {"seller": seller.name},
        body=_(
            "%(inviter)s invites you to the back office of %(seller)s on Reloop as %(role)s.\n\n"
            "Sign in (or create an account) with this email address, then open:\n%(link)s\n\n"
            "The link works once and expires in %(days)s days."
        )
        % {
            "inviter": actor.get_full_name() or actor.email or actor.get_username(),
            "seller": seller.name,
            "role": invitation.get_role_display(),
            "link": link_for(raw),
            "days": INVITATION_DAYS,
        },
    )
    return invitation, raw


@transaction.atomic(durable=True)
def revoke_seller_invitation(*, actor: User, seller: Seller, invitation_id: int) -> SellerInvitation:
    """Stop an invitation of ``seller`` working (idempotent). Another seller's is answered as not found."""
    _authorize_owner(actor=actor, seller=seller)
    invitation = SellerInvitation.objects.filter(seller=seller, pk=invitation_id).first()
    if invitation is None:
        raise InvitationNotFound(_("No such invitation"))
    if invitation.accepted_at is not None:
        raise InvitationUnusable(_("This invitation was already accepted"), code="invitation_used")
    now = clock.now()
    if SellerInvitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True, accepted_at__isnull=True).update(
        revoked_at=now
    ):
        invitation.revoked_at = now
    return invitation


@transaction.atomic(durable=True)
def accept_seller_invitation(*, user: User, token: str) -> SellerMember:
    """The signed-in ``user`` joins the team the link invites to, once, if it was sent to their email address.

    Replaying the same link by the person who accepted it returns their membership (a double click is fine).
    """
    invitation = SellerInvitation.objects.filter(token_hash=hash_token(token)).select_related("seller").first()
    if invitation is None or len(token) > 200:
        raise InvitationNotFound(_("This invitation link is not valid"))
    if invitation.accepted_at is not None:
        if invitation.accepted_by_id == user.pk:
            member = SellerMember.objects.filter(user=user, seller=invitation.seller).first()
            if member is not None:
                return member
        raise InvitationUnusable(_("This invitation was already used"), code="invitation_used")
    if invitation.revoked_at is not None:
        raise InvitationUnusable(_("This invitation was withdrawn by the seller"), code="invitation_revoked")
    now = clock.now()
    if invitation.expires_at <= now:
        raise InvitationUnusable(
            _("This invitation expired; ask the seller's owner for a new one"), code="invitation_expired"
        )
    if (user.email or "").lower() != invitation.email.lower():
        raise InvitationUnusable(
            _("This invitation was sent to %(email)s: sign in with that address to accept it")
            % {"email": invitation.email},
            code="invitation_wrong_account",
        )
    existing = SellerMember.objects.filter(user=user).first()
    if existing is not None and existing.seller_id != invitation.seller_id:
        raise InvitationUnusable(
            _("You already work for another seller; a person belongs to one seller only"),
            code="member_of_another_seller",
        )
    if not SellerInvitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
        accepted_at=now, accepted_by=user
    ):
        raise InvitationUnusable(_("This invitation was already used"), code="invitation_used")
    if existing is not None:  # already in this team: the invitation does not change their role
        return existing
    return add_seller_member(seller=invitation.seller, user=user, role=invitation.role)


# --- Applications and vetting -----------------------------------------------------------------------------


def check_can_apply(*, user: User) -> None:
    """A person applies once at a time, and not while working for a seller."""
    if SellerMember.objects.filter(user=user).exists():
        raise ApplicationRefused(_("You already work for a seller on Reloop"), code="already_a_seller")
    if SellerApplication.objects.filter(applicant=user, status=ApplicationStatus.SUBMITTED).exists():
        raise ApplicationRefused(_("Your application is being reviewed"), code="application_pending")


def _check_trading_name_free(name: str) -> None:
    if Seller.objects.filter(Q(name__iexact=name) | Q(slug=slugify(name))).exists():
        raise InvalidApplication({"trading_name": _("A seller with this trading name already exists.")})


@transaction.atomic(durable=True)
def submit_seller_application(*, actor: User, data: Mapping[str, object]) -> SellerApplication:
    """Record ``actor``'s application to sell (trader identity per EU DSA art. 30), validated field by field
    (``InvalidApplication`` lists every bad field; nothing is written then). The self-certification time is now."""
    check_can_apply(user=actor)
    cleaned = validate_application(data)
    _check_trading_name_free(cleaned["trading_name"])
    try:
        with transaction.atomic():
            return SellerApplication.objects.create(applicant=actor, self_certified_at=clock.now(), **cleaned)
    except IntegrityError:  # the same person submitted twice at once: the constraint kept one
        raise ApplicationRefused(_("Your application is being reviewed"), code="application_pending") from None


def _authorize_vetting(actor: User) -> None:
    if not (actor.is_active and actor.is_staff and actor.has_perm(VETTING_PERMISSION)):
        raise NotAllowed(_("Only operators who vet sellers can decide on applications"))


def _locked_application(application_id: int) -> SellerApplication:
    application = (
        SellerApplication.objects.select_for_update().select_related("applicant").filter(pk=application_id).first()
    )
    if application is None:
        raise ApplicationNotFound(_("No such application"))
    return application


def _unique_slug(name: str, fallback: str) -> str:
    base = slugify(name)[:120] or fallback
    slug, n = base, 2
    while Seller.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic(durable=True)
def approve_seller_application(*, actor: User, application_id: int) -> SellerApplication:
    """Approve: create the seller (active, ``approved_at`` now, legal data linked), make the applicant its owner
    and email them, all once. Approving an approved application again returns it and emails nobody; a rejected
    one is refused. Locks the application row."""
    _authorize_vetting(actor)
    application = _locked_application(application_id)
    if application.status == ApplicationStatus.APPROVED:
        return application
    if application.status != ApplicationStatus.SUBMITTED:
        raise ApplicationAlreadyDecided(_("This application was already rejected"))
    if SellerMember.objects.filter(user_id=application.applicant_id).exists():
        raise ApplicationAlreadyDecided(
            _("The applicant has joined another seller's team since applying"), code="applicant_already_member"
        )
    if Seller.objects.filter(name__iexact=application.trading_name).exists():
        raise ApplicationAlreadyDecided(
            _("A seller named %(name)s exists already: reject with a reason asking for another trading name")
            % {"name": application.trading_name},
            code="trading_name_taken",
        )
    now = clock.now()
    seller = Seller.objects.create(
        name=application.trading_name,
        slug=_unique_slug(application.trading_name, f"seller-{application.pk}"),
        legal_name=application.legal_name,
        country=application.country,
        city=application.city,
        standing=Standing.ACTIVE,
        approved_at=now,
    )
    SellerApplication.objects.filter(pk=application.pk, status=ApplicationStatus.SUBMITTED).update(
        status=ApplicationStatus.APPROVED, seller=seller, decided_by=actor, decided_at=now
    )
    add_seller_member(seller=seller, user=application.applicant, role=MemberRole.OWNER)
    application.refresh_from_db()
    _email_on_commit(
        to=application.email,
        subject=_("Welcome to Reloop: %(seller)s is approved") % {"seller": seller.name},
        body=_(
            "Hello %(contact)s,\n\nyour application to sell on Reloop as %(seller)s is approved. Sign in and open "
            "the seller back office at /seller/ to list your offers.\n\nFor your first %(days)s days you can sell "
            "up to %(cap)s units a day; your offers return to the buy box the next day once you reach it."
        )
        % {"contact": application.contact_name, "seller": seller.name, **_cap_figures()},
    )
    return application


def _cap_figures() -> dict[str, int]:
    rule = new_seller_cap()
    return {"days": rule.days, "cap": rule.daily_units}


@transaction.atomic(durable=True)
def reject_seller_application(*, actor: User, application_id: int, reason: str) -> SellerApplication:
    """Reject with a reason the applicant receives by email, once. Rejecting a rejected application again returns
    it unchanged (no second email); an approved one is refused."""
    _authorize_vetting(actor)
    reason = clean_rejection_reason(reason)
    application = _locked_application(application_id)
    if application.status == ApplicationStatus.REJECTED:
        return application
    if application.status != ApplicationStatus.SUBMITTED:
        raise ApplicationAlreadyDecided(_("This application was already approved"))
    now = clock.now()
    SellerApplication.objects.filter(pk=application.pk, status=ApplicationStatus.SUBMITTED).update(
        status=ApplicationStatus.REJECTED, rejection_reason=reason, decided_by=actor, decided_at=now
    )
    application.refresh_from_db()
    _email_on_commit(
        to=application.email,
        subject=_("Your application to sell on Reloop"),
        body=_(
            "Hello %(contact)s,\n\nwe cannot approve the application of %(seller)s for this reason:\n\n%(reason)s\n\n"
            "You are welcome to apply again once this is resolved."
        )
        % {"contact": application.contact_name, "seller": application.trading_name, "reason": reason},
    )
    return application


@transaction.atomic(durable=True)
def change_seller_standing(*, actor: User, seller: Seller, standing: str) -> Seller:
    """An operator suspends or reactivates a seller (through ``set_seller_standing``: buy boxes move on commit)."""
    _authorize_vetting(actor)
    if standing not in (Standing.ACTIVE, Standing.SUSPENDED):
        raise InvalidInput(_("An operator can only suspend or reactivate a seller"), code="invalid_standing")
    logger.info("Operator %s set seller %s to %s", actor.pk, seller.pk, standing)
    return set_seller_standing(seller=seller, standing=standing)


# --- New-seller daily cap (DESIGN.md section 2, docs/adr/0012-seller-onboarding-and-cap.md) -------------------


@transaction.atomic
def cap_seller_for_today(*, seller: Seller, day: dt.date) -> bool:
    """``seller`` reached its new-seller cap on ``day``: its offers leave the buy box until the next day.
    Idempotent (True only for the call that set it); buy boxes are refreshed on commit."""
    updated = (
        Seller.objects.filter(pk=seller.pk)
        .filter(Q(capped_on__isnull=True) | Q(capped_on__lt=day))
        .update(capped_on=day)
    )
    if updated:
        seller.capped_on = day
        _standing_changed(seller)
    return bool(updated)


@transaction.atomic
def lift_daily_caps(*, day: dt.date | None = None) -> int:
    """Bring back to the buy box every seller capped on a day before ``day`` (default today). Idempotent: a
    second run finds nobody to lift. Returns how many sellers were lifted."""
    day = day or clock.today()
    lifted = 0
    for seller_id in Seller.objects.filter(capped_on__lt=day).order_by("pk").values_list("pk", flat=True):
        if Seller.objects.filter(pk=seller_id, capped_on__lt=day).update(capped_on=None):
            publish(SellerStandingChanged(seller_id))
            lifted += 1
    return lifted
