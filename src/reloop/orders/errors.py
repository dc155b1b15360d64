from reloop.core.errors import DomainError, NotFound


class OrderNotFound(NotFound):
    code = "order_not_found"


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"
    http_status = 409


class StaleState(DomainError):
    """The line moved meanwhile (another request got there first)."""

    code = "stale_state"
    http_status = 409
