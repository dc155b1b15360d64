"""Staff roles as groups with their permissions (console/roles.py) and the shipped reporting rates."""

import json
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.management import create_permissions
from django.db import migrations

RATES_FILE = Path(__file__).resolve().parent.parent / "data" / "reporting_rates.json"


def create_roles(apps, schema_editor):
    # Permissions are normally created after every migration ran; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    from reloop.console.roles import ROLES

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        found = []
        for perm in perms:
            app_label, codename = perm.split(".")
            found.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.add(*found)


def load_rates(apps, schema_editor):
    ExchangeRate = apps.get_model("console", "ExchangeRate")
    data = json.loads(RATES_FILE.read_text(encoding="utf-8"))
    for currency, rate in data["rates"].items():
        ExchangeRate.objects.get_or_create(
            currency=currency,
            as_of=data["as_of"],
            defaults={"per_eur": Decimal(rate), "source": data["source"], "source_url": data["source_url"]},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("console", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("catalog", "0004_category_commission_rate_and_more"),
        ("impact", "0001_initial"),
        ("payments", "0002_payouts"),
        ("aftersales", "0002_receipt_overdue"),
        ("reviews", "0001_initial"),
        ("sellers", "0004_onboarding"),
    ]

    operations = [
        migrations.RunPython(create_roles, migrations.RunPython.noop),
        migrations.RunPython(load_rates, migrations.RunPython.noop),
    ]
