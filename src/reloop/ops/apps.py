from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations that span every domain: seeding, the demo server, benchmarks, and the event registry."""

    name = "reloop.ops"
    label = "ops"

    def ready(self) -> None:
        from reloop.ops.subscriptions import register

        register()
