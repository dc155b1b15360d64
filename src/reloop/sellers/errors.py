from reloop.core.errors import DomainError, InvalidInput, NotFound


class SellerTokenNotFound(NotFound):
    code = "seller_token_not_found"


class SellerNotFound(NotFound):
    code = "seller_not_found"


class ApplicationNotFound(NotFound):
    code = "seller_application_not_found"


class ApplicationRefused(DomainError):
    """The person cannot apply now: already a seller's member, or an application of theirs awaits a decision."""

    code = "application_refused"
    http_status = 409


class ApplicationAlreadyDecided(DomainError):
    code = "application_already_decided"
    http_status = 409


class NotAllowed(DomainError):
    code = "not_allowed"
    http_status = 403


class MemberNotFound(NotFound):
    code = "seller_member_not_found"


class LastOwner(DomainError):
    """The change would leave the seller without an owner."""

    code = "last_owner"
    http_status = 409


class InvitationNotFound(NotFound):
    code = "invitation_not_found"


class InvitationUnusable(DomainError):
    """Expired, already used, revoked, or meant for another email address (``code`` says which)."""

    code = "invitation_unusable"
    http_status = 409


class InvalidInvitation(InvalidInput):
    code = "invalid_invitation"
