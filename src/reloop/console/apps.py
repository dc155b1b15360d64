from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "reloop.console"
    label = "console"
    verbose_name = "Operator console"

    def ready(self) -> None:
        from reloop.console.checks import impact_checks
        from reloop.payments.checks import EXTRA_CHECKS

        if impact_checks not in EXTRA_CHECKS:
            EXTRA_CHECKS.append(impact_checks)
