from django.db import migrations

from ._reference import load_groups_and_lines


def load(apps, schema_editor):
    load_groups_and_lines(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0001_initial"),
        ("wagtailadmin", "0006_formstate"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
