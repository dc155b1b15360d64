from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "reloop.web"
    label = "web"
