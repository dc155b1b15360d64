"""Errors of accounts and addresses, with stable codes (see ``reloop.core.errors``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reloop.core.errors import InvalidInput, NotFound


class EmailTaken(InvalidInput):
    code = "email_taken"
    http_status = 409


class WeakPassword(InvalidInput):
    code = "weak_password"

    def __init__(self, messages: Sequence[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = list(messages)


class AddressNotFound(NotFound):
    """A missing address and another person's address are answered alike."""

    code = "address_not_found"


class InvalidAddress(InvalidInput):
    """An address breaks its country's rules; ``field_errors`` names each field at fault ("" for the whole)."""

    code = "invalid_address"

    def __init__(self, field_errors: Mapping[str, Sequence[str]]) -> None:
        self.field_errors = {field: list(messages) for field, messages in field_errors.items()}
        super().__init__("; ".join(f"{f or 'address'}: {' '.join(m)}" for f, m in self.field_errors.items()))
