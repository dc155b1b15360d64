from typing import Any

from django.core.management.base import BaseCommand

from reloop.search.backends import get_backend
from reloop.search.services import index_models


class Command(BaseCommand):
    help = "Rebuild the search documents and vocabulary of every product model (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = index_models(model_ids=None)
        self.stdout.write(f"Indexed {count} product models with {get_backend().name}.")
