"""The Celery application: one task queue for scheduled jobs, offer imports, emails and outbox delivery (ADR 0025).

Configuration comes from Django settings (``CELERY_*``): ``CELERY_BROKER_URL`` names RabbitMQ (``amqp://``) or
Redis (``redis://``). Without a broker (the embedded default, ``make demo``) every task runs eagerly, in the process
and thread that sends it, after the sender's transaction has committed. The tasks themselves are declared in
``reloop.ops.tasks``, which every Django process imports at start-up (``OpsConfig.ready``).
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reloop.settings")

app = Celery("reloop")
app.config_from_object("django.conf:settings", namespace="CELERY")


def _embedded_transport() -> None:
    """Without a broker, tasks run eagerly; the in-memory transport keeps Celery from ever reaching for a broker
    on localhost (it prepares a producer even for an eager task)."""
    from django.conf import settings

    if not settings.CELERY_BROKER_URL:
        app.conf.update(broker_url="memory://localhost/")


_embedded_transport()
