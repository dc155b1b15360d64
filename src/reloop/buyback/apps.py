from django.apps import AppConfig


class BuybackConfig(AppConfig):
    name = "reloop.buyback"
    label = "buyback"

    def ready(self) -> None:
        from reloop.buyback.checks import tradein_checks
        from reloop.payments.checks import EXTRA_CHECKS

        if tradein_checks not in EXTRA_CHECKS:
            EXTRA_CHECKS.append(tradein_checks)
