"""``reloop seller_token {create,list,revoke}``: a seller's API keys, until the back office has a page for them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reloop.core.errors import DomainError
from reloop.sellers.models import Seller
from reloop.sellers.selectors import seller_tokens
from reloop.sellers.services import create_seller_token, revoke_seller_token


def _when(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "-"


class Command(BaseCommand):
    help = "Create, list or revoke a seller's API tokens (the token itself is shown once, at creation)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it once")
        create.add_argument("--seller", required=True, help="Seller slug")
        create.add_argument("--name", required=True, help="What the token is for, e.g. 'stock sync'")
        listing = sub.add_parser("list", help="List a seller's tokens (prefix only)")
        listing.add_argument("--seller", required=True, help="Seller slug")
        revoke = sub.add_parser("revoke", help="Revoke a token; calls made with it are refused at once")
        revoke.add_argument("--seller", required=True, help="Seller slug")
        revoke.add_argument("--id", type=int, required=True, dest="token_id", help="Token id (see `list`)")

    def handle(self, *args: Any, action: str, seller: str, **options: Any) -> None:
        found = Seller.objects.filter(slug=seller).first()
        if found is None:
            raise CommandError(f"No seller with slug {seller!r}")
        try:
            if action == "create":
                self._create(found, options["name"])
            elif action == "revoke":
                token = revoke_seller_token(seller=found, token_id=options["token_id"])
                self.stdout.write(self.style.SUCCESS(f"Revoked token {token.pk} ({token.key_prefix}, {token.name})"))
            else:
                self._list(found)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _create(self, seller: Seller, name: str) -> None:
        token, raw = create_seller_token(seller=seller, name=name)
        self.stdout.write(self.style.SUCCESS(f"Created token {token.pk} ({token.key_prefix}) for {seller.slug}:"))
        self.stdout.write(raw)
        self.stderr.write(self.style.WARNING("Copy it now: it is stored hashed and will not be shown again."))

    def _list(self, seller: Seller) -> None:
        tokens = seller_tokens(seller=seller)
        if not tokens:
            self.stdout.write(f"{seller.slug} has no tokens")
            return
        self.stdout.write(f"{'id':>5}  {'prefix':8}  {'name':30}  {'created':20}  {'last used':20}  revoked")
        for t in tokens:
            self.stdout.write(
                f"{t.pk:>5}  {t.key_prefix:8}  {t.name[:30]:30}  {_when(t.created_at):20}  "
                f"{_when(t.last_used_at):20}  {_when(t.revoked_at)}"
            )
