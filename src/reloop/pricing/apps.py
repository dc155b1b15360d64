from django.apps import AppConfig


class PricingConfig(AppConfig):
    name = "reloop.pricing"
    label = "pricing"
