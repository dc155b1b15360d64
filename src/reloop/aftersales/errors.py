"""After-sales errors, each with a stable code (the web shows the message, the API answers the code)."""

from reloop.core.errors import DomainError, InvalidInput, NotFound


class CaseNotFound(NotFound):
    """A missing case, and equally someone else's: a stranger cannot tell them apart."""

    code = "case_not_found"


class NotEligible(DomainError):
    """The line cannot take this case now (not delivered, outside its window, a case already open…)."""

    code = "not_eligible"
    http_status = 409


class CaseStateConflict(DomainError):
    """The case is not in a state where this step is possible (or moved meanwhile)."""

    code = "invalid_case_state"
    http_status = 409


class InvalidCaseInput(InvalidInput):
    code = "invalid_case_input"


class InvalidPhoto(InvalidInput):
    code = "invalid_photo"


class RefundRefused(DomainError):
    code = "refund_refused"
    http_status = 409
