from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "reloop.core"
    label = "core"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from reloop.core import tasks

        request_started.connect(tasks.request_started, dispatch_uid="reloop.core.tasks.request_started")
        request_finished.connect(tasks.run_after_response, dispatch_uid="reloop.core.tasks.run_after_response")
