"""``{{ order.failure_reason|failure_message }}``: why a checkout failed, from the code the order keeps, in the
language of the page being rendered (``checkout.failures``)."""

from __future__ import annotations

from django import template

from reloop.checkout.failures import failure_message as _failure_message

register = template.Library()


@register.filter
def failure_message(code: str) -> str:
    return _failure_message(code or "")
