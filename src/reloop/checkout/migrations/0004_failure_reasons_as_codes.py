"""Orders closed before the failure reasons became codes kept English text (in the language of whoever settled
them): read each as its code (``checkout.failures``), so it shows in the viewer's language; a text no code
matches becomes ``payment_failed`` (shown as "The payment did not go through.")."""

from django.db import migrations

LEGACY_TEXTS = {
    "reservation expired before payment": "reservation_expired",
    "You left the payment page without paying": "abandoned",
    "The payment amount did not match the order total": "amount_mismatch",
    "The payment did not go through": "payment_failed",
    "The payment did not go through.": "payment_failed",
    "Your card was declined.": "card_declined",
    "Your card has insufficient funds.": "insufficient_funds",
    "Your bank could not confirm it was you (3-D Secure failed).": "authentication_failed",
    "Payment in instalments was refused for this card.": "instalments_refused",
    "The payment was abandoned.": "abandoned",
}


def to_codes(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    for text, code in LEGACY_TEXTS.items():
        Order.objects.filter(failure_reason=text).update(failure_reason=code)
    known = set(LEGACY_TEXTS.values())
    Order.objects.exclude(failure_reason="").exclude(failure_reason__in=known).update(failure_reason="payment_failed")


class Migration(migrations.Migration):
    dependencies = [
        ("checkout", "0003_cart_line_chosen_unit"),
        ("orders", "0003_order_sales_tax"),
    ]

    operations = [migrations.RunPython(to_codes, migrations.RunPython.noop)]
