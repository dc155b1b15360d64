from reloop.core.errors import DomainError, NotFound


class ReviewNotFound(NotFound):
    code = "review_not_found"


class LineNotFound(NotFound):
    """No such line, or a line of another buyer (answered alike, so nothing leaks)."""

    code = "line_not_found"


class SignInRequired(DomainError):
    code = "sign_in_required"
    http_status = 401


class NotReviewable(DomainError):
    """The line's unit has not reached the buyer (or never will: cancelled)."""

    code = "line_not_delivered"
    http_status = 409


class AlreadyReviewed(DomainError):
    code = "already_reviewed"
    http_status = 409


class InvalidReview(DomainError):
    code = "invalid_review"
    http_status = 422


class ReplyLocked(DomainError):
    code = "reply_locked"
    http_status = 409


class ReviewHidden(DomainError):
    code = "review_hidden"
    http_status = 409


class ModerationNotAllowed(DomainError):
    code = "moderation_not_allowed"
    http_status = 403
