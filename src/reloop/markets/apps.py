from django.apps import AppConfig


class MarketsConfig(AppConfig):
    name = "reloop.markets"
    label = "markets"
