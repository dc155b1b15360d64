from typing import Any

from django.core.management.base import BaseCommand

from reloop.catalog.illustrations import draw
from reloop.catalog.models import ProductImage, ProductModel
from reloop.catalog.services import add_product_image


class Command(BaseCommand):
    help = "Give every model without a picture a drawing of its shape in its first colour, labelled as an illustration."

    def handle(self, *args: Any, **options: Any) -> None:
        done = set(ProductImage.objects.values_list("product_model_id", flat=True))
        made = 0
        for pm in ProductModel.objects.select_related("category", "brand").prefetch_related("variants"):
            if pm.pk in done:
                continue
            colour = next((v.colour for v in pm.variants.all() if v.colour), "")
            add_product_image(
                actor=None,
                product_model_id=pm.pk,
                data=draw(pm.category.slug, colour),
                alt=f"{pm.title}{', ' + colour if colour else ''} (illustration)",
                colour=colour,
                is_illustration=True,
            )
            made += 1
        self.stdout.write(f"Drew {made} illustrations ({len(done)} models already had a picture).")
