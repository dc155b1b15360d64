from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "reloop.console"
    label = "console"
    verbose_name = "Operator console"
