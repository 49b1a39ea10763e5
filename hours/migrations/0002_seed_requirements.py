"""The requirements of the national plan, as the starting rules."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

PLAN = "《全国检察教育培训规划（2023—2027年）》"
REGULATION = "《检察官教育培训工作条例》"
# (kind, rank category, trigger, hours, days, window years, basis)
RULES = [
    ("online", "", "", Decimal(50), None, 1, PLAN),
    ("centralised", "general", "", Decimal(90), Decimal(12), 1, PLAN),
    # 3 months of centralised training, written as its hours only: the plan sets
    # no day count for it beyond "3 months".
    ("centralised", "leading", "", Decimal(550), None, 5, PLAN),
    ("centralised", "", "senior_prosecutor", Decimal(230), Decimal(30), 1, REGULATION),
    ("centralised", "", "chief", None, Decimal(15), 1, REGULATION),
]


def seed(apps, schema_editor):
    Requirement = apps.get_model("hours", "Requirement")
    for kind, rank, trigger, hours, days, years, basis in RULES:
        Requirement.objects.get_or_create(
            kind=kind,
            rank_category=rank,
            trigger=trigger,
            valid_from=dt.date(2023, 1, 1),
            defaults={
                "hours": hours,
                "days": days,
                "window_years": years,
                "within_months": 12,
                "day_rate": Decimal("7.5"),
                "basis": basis,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("hours", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
