from django.apps import AppConfig


class PassportsConfig(AppConfig):
    name = "reloop.passports"
    label = "passports"
    verbose_name = "Unit passports"
