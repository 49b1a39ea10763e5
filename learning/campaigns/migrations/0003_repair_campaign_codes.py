"""Rewrite campaign codes that the code rule now refuses (a '/' broke /reports/).

Each character outside letters, digits, '-', '_' and '.' becomes '-', leading
punctuation is dropped, and a numeric suffix keeps the code unique. Campaigns are
looked up by code only in addresses and the API, which the old codes broke anyway.
"""

import re

from django.core.exceptions import ValidationError
from django.db import migrations

ALLOWED = re.compile(r"[^\w.-]")


def repair(apps, schema_editor):
    from organisation.validators import validate_code

    Campaign = apps.get_model("campaigns", "Campaign")
    taken = set(Campaign.objects.values_list("code", flat=True))
    for campaign in Campaign.objects.order_by("pk"):
        try:
            validate_code(campaign.code)
            continue
        except ValidationError:
            pass
        base = ALLOWED.sub("-", campaign.code).lstrip("-_.")[:34] or "CAMPAIGN"
        code, n = base, 1
        while code in taken:
            n += 1
            code = f"{base}-{n}"
        taken.discard(campaign.code)
        taken.add(code)
        campaign.code = code
        campaign.save(update_fields=["code"])


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0002_campaign_code_slug")]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
