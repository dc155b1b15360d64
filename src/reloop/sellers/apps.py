from django.apps import AppConfig


class SellersConfig(AppConfig):
    name = "reloop.sellers"
    label = "sellers"
