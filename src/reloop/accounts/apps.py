from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "reloop.accounts"
    label = "accounts"
