from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    name = "reloop.checkout"
    label = "checkout"
