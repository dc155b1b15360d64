from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "reloop.impact"
    label = "impact"
