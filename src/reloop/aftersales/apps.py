from django.apps import AppConfig


class AftersalesConfig(AppConfig):
    name = "reloop.aftersales"
    label = "aftersales"
