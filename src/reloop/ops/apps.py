from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations that span every domain: seeding, the demo server, benchmarks."""

    name = "reloop.ops"
    label = "ops"
