from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "reloop.quality"
    label = "quality"
