from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "reloop.legal"
    label = "legal"
    verbose_name = "Legal"
