from django.db import migrations

# Trainers build the question bank and quizzes; the marking and statistics pages check
# roles themselves. Choosers of indicators and business lines need view rights.
GRANTS = {
    "assessments": {"question", "category", "quiz"},
    "organisation": {"indicator", "businessline"},
}
GROUPS = ("Trainers", "Training office heads")


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = []
    for app_label, models in GRANTS.items():
        actions = ("add", "change", "delete", "view") if app_label == "assessments" else ("view",)
        for model in models:
            wanted += [(app_label, f"{action}_{model}") for action in actions]
    permissions = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in wanted
    ]
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0002_question_bank_attempts"),
        ("organisation", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
