from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "reloop.payments"
    label = "payments"
