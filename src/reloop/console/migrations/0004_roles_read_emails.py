"""Support and trust & safety read the log of emails sent (console/roles.py): each group is set to exactly its
permissions."""

from django.db import migrations


def sync_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

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
        group.permissions.set(found)


class Migration(migrations.Migration):
    dependencies = [
        ("console", "0003_sync_roles"),
        ("notifications", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
