from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "reloop.catalog"
    label = "catalog"
