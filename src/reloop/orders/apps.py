from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "reloop.orders"
    label = "orders"
