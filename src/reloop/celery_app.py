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
