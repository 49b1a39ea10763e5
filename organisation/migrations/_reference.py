"""Reference data the platform needs from its first migration on (also used by tests)."""


def load_groups_and_lines(apps=None) -> None:
    import csv
    from pathlib import Path

    if apps is None:
        from django.apps import apps
    BusinessLine = apps.get_model("organisation", "BusinessLine")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")

    path = Path(__file__).resolve().parent.parent / "data" / "business_lines.csv"
    with path.open(encoding="utf-8") as handle:
        for order, row in enumerate(csv.DictReader(handle), start=1):
            BusinessLine.objects.update_or_create(
                code=row["code"],
                defaults={"name": row["name_zh"], "name_en": row["name_en"],
                          "parent_group": row["parent_group_zh"], "sort_order": order},
            )
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access, _ = Permission.objects.get_or_create(
        content_type=admin_type, codename="access_admin", defaults={"name": "Can access Wagtail admin"}
    )
    for name in ("Trainers", "Training office heads", "Unit leaders", "Leadership", "Administrators"):
        group, _ = Group.objects.get_or_create(name=name)
        if name in {"Trainers", "Training office heads", "Administrators"}:
            group.permissions.add(access)
