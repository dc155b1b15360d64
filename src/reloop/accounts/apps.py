from typing import Any

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "reloop.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_second_factor_owed, dispatch_uid="reloop.accounts.second_factor_owed")


def _second_factor_owed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Every sign-in with a password (storefront, admin): a person with two-factor authentication owes a code."""
    from reloop.accounts.two_factor import mark_pending_after_sign_in

    if request is not None and hasattr(request, "session"):
        mark_pending_after_sign_in(request=request, user=user)
