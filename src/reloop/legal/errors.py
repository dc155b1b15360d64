"""Errors of the legal pages and notices, with stable codes (see ``reloop.core.errors``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reloop.core.errors import DomainError, InvalidInput, NotFound


class VersionNotFound(NotFound):
    code = "legal_version_not_found"


class VersionPublished(DomainError):
    """A published version never changes: write a new version instead."""

    code = "legal_version_published"
    http_status = 409


class NoticeNotFound(NotFound):
    code = "notice_not_found"


class NoticeAlreadyDecided(DomainError):
    code = "notice_already_decided"
    http_status = 409


class InvalidNotice(InvalidInput):
    code = "invalid_notice"

    def __init__(self, field_errors: Mapping[str, Sequence[str]]) -> None:
        self.field_errors = {field: list(messages) for field, messages in field_errors.items()}
        super().__init__("; ".join(f"{f}: {' '.join(m)}" for f, m in self.field_errors.items()))
