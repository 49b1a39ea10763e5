"""Gaming cautions in the indicator catalogue: shipped for the indicators the 2024
change named, kept when a file leaves the column out, edited by administrators."""

import pytest

from organisation.importing import run_import
from organisation.indicator_import import indicators_import
from organisation.models import Indicator
from organisation.services import indicators_load_shipped
from organisation.tabular import Table

pytestmark = pytest.mark.django_db

GAMING_PRONE = [
    "supplementary_investigation_rate",  # 退回补充侦查率
    "sentencing_proposal_adoption_rate",  # 量刑建议采纳率
    "plea_leniency_rate",  # 认罪认罚适用率
]


def test_the_shipped_catalogue_cautions_the_indicators_the_2024_change_named(
    reference_data,
):
    indicators_load_shipped()
    cautions = dict(Indicator.objects.values_list("code", "gaming_caution"))
    for code in GAMING_PRONE:
        assert "不是让数字变好看" in cautions[code]
    assert cautions["acquittal_rate"] == ""


def test_a_file_without_the_column_leaves_the_cautions_alone(reference_data):
    indicators_load_shipped()
    Indicator.objects.filter(code="plea_leniency_rate").update(gaming_caution="自定")
    row = {
        "code": "plea_leniency_rate",
        "name_zh": "认罪认罚从宽制度适用率",
        "name_en": "",
        "business_line": "",
        "direction": "range",
        "target_low": "0.7",
        "target_high": "0.95",
    }
    run_import(indicators_import, table=Table(headers=list(row), rows=[(2, row)]))
    assert Indicator.objects.get(code="plea_leniency_rate").gaming_caution == "自定"


def test_administrators_edit_the_caution_in_the_admin(client, admin_user):
    indicators_load_shipped()
    indicator = Indicator.objects.get(code="plea_leniency_rate")
    client.force_login(admin_user)
    url = f"/admin/snippets/organisation/indicator/edit/{indicator.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    assert 'name="gaming_caution"' in response.content.decode()
