from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "reloop.invoicing"
    label = "invoicing"
