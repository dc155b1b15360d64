from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "reloop.api"
    label = "api"
