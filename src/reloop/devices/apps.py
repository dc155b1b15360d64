from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "reloop.devices"
    label = "devices"
