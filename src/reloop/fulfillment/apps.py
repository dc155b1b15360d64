from django.apps import AppConfig


class FulfillmentConfig(AppConfig):
    name = "reloop.fulfillment"
    label = "fulfillment"
