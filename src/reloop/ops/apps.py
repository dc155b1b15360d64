from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations that span every domain: seeding, the demo server, benchmarks, and the event registry."""

    name = "reloop.ops"
    label = "ops"

    def ready(self) -> None:
        from reloop.ops import tasks  # noqa: F401  # registers every Celery task in every process (ADR 0025)
        from reloop.ops.subscriptions import register

        register()
