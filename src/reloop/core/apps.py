from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "reloop.core"
    label = "core"
