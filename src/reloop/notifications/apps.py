from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "reloop.notifications"
    label = "notifications"
