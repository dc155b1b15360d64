from django.apps import AppConfig


class OffersConfig(AppConfig):
    name = "reloop.offers"
    label = "offers"
