# The test provider's charges become payments created by Reloop's server and confirmed by the buyer on the
# provider's own page (docs/adr/0019-payment-flow.md). Written by hand: only the TestCharge changes.

from django.db import migrations, models

STATUSES = [
    ("requires_payment", "Awaiting the buyer"),
    ("requires_action", "Awaiting 3-D Secure"),
    ("authorized", "Authorized"),
    ("failed", "Failed"),
    ("canceled", "Cancelled"),
    ("captured", "Captured"),
    ("partially_refunded", "Partially refunded"),
    ("refunded", "Refunded"),
]


def declines_become_failures(apps, schema_editor):
    TestCharge = apps.get_model("payments", "TestCharge")
    TestCharge.objects.filter(status="declined").update(status="failed", failure_code="card_declined")
    TestCharge.objects.filter(status="insufficient_funds").update(status="failed", failure_code="insufficient_funds")


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0003_tradein_kind"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="testcharge", name="test_charge_status_valid"),
        migrations.AddField(
            model_name="testcharge", name="order_reference", field=models.CharField(blank=True, max_length=40)
        ),
        migrations.AddField(
            model_name="testcharge", name="return_url", field=models.CharField(blank=True, max_length=500)
        ),
        migrations.AddField(
            model_name="testcharge", name="instalments", field=models.PositiveSmallIntegerField(default=1)
        ),
        migrations.AddField(
            model_name="testcharge", name="failure_code", field=models.CharField(blank=True, max_length=40)
        ),
        migrations.AlterField(
            model_name="testcharge", name="card_last4", field=models.CharField(blank=True, max_length=4)
        ),
        migrations.AlterField(
            model_name="testcharge",
            name="status",
            field=models.CharField(choices=STATUSES, default="requires_payment", max_length=20),
        ),
        migrations.RunPython(declines_become_failures, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="testcharge",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", [value for value, _ in STATUSES])), name="test_charge_status_valid"
            ),
        ),
    ]
