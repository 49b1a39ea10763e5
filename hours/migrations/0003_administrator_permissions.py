from django.db import migrations

# The administrators keep the hours rules, the centralised classes and the manual
# ledger entries in the admin; their group needs the model rights for those screens.
MODELS = (
    "requirement",
    "postchange",
    "hoursexemption",
    "centralisedclass",
    "classsession",
    "enrolment",
    "ledgerentry",
)
ACTIONS = ("add", "change", "delete", "view")


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for model in MODELS for action in ACTIONS]
    permissions = Permission.objects.filter(
        content_type__app_label="hours", codename__in=codenames
    )
    group, _ = Group.objects.get_or_create(name="Administrators")
    group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("hours", "0002_seed_requirements"),
        ("organisation", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
