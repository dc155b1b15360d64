from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "reloop.notifications"
    label = "notifications"

    def ready(self) -> None:
        # a message's status follows its send claim in every process, workers included (core.mail's signals)
        from reloop.notifications import services  # noqa: F401
