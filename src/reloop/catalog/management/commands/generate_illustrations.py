from typing import Any

from django.core.management.base import BaseCommand

from reloop.catalog.services import add_missing_illustrations


class Command(BaseCommand):
    help = "Give every model without a picture a drawing of its shape in its first colour, labelled as an illustration."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Drew {add_missing_illustrations()} illustrations.")
