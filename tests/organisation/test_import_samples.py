"""Every import's sample file comes from its declarations and applies cleanly as-is."""

import datetime as dt

import pytest
from django.utils import translation

from hours.models import CentralisedClass
from organisation.importing import REGISTRY, run_import
from organisation.samples import column_spec, sample_csv, sample_rows, sample_xlsx
from organisation.services import indicators_load_shipped
from organisation.tabular import read_table
from tests.assessments.factories import make_question
from tests.factories import StaffFactory
from tests.learning.helpers import catalogue, make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def province(tree, reference_data):
    indicators_load_shipped()
    StaffFactory(unit=tree["G1"], staff_no="X0001", name="样例人")
    make_course(catalogue(reference_data), code="LAW-1")
    make_question("Q-1")
    CentralisedClass.objects.create(
        code="BJ-1",
        title="业务培训班",
        organiser=tree["P"],
        starts_on=dt.date(2026, 5, 11),
        ends_on=dt.date(2026, 5, 15),
    )
    return tree


def apply(kind: str, data: bytes, filename: str):
    importer = REGISTRY[kind]
    if importer.reads_table:
        return run_import(importer.run, table=read_table(data, filename=filename))
    return run_import(importer.run, table=None, data=data, filename=filename)


@pytest.mark.parametrize("kind", sorted(REGISTRY))
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_sample_file_imports_cleanly_as_it_is(kind, language, province):
    with translation.override(language):
        for name, data in (
            (f"{kind}.csv", sample_csv(kind)),
            (f"{kind}.xlsx", sample_xlsx(kind)),
        ):
            summary = apply(kind, data, name)
            assert summary.total == 1, (name, summary)


def test_the_sample_has_every_declared_column_under_its_chinese_header(province):
    schema_columns = [c["name"] for c in column_spec("staff")]
    with translation.override("zh-hans"):
        headers, row = sample_rows("staff")
    assert headers[:3] == ["工号", "姓名", "单位代码"]
    assert len(headers) == len(schema_columns) == len(row)
    assert row[2] == "P"  # a unit that exists: the province


def test_the_column_spec_names_required_columns_aliases_and_accepted_values(province):
    with translation.override("zh-hans"):
        spec = {c["name"]: c for c in column_spec("roles")}
    assert spec["staff_no"]["required"] and not spec["valid_to"]["required"]
    assert "失效日期" in spec["valid_to"]["aliases"]
    role_values = " ".join(spec["role"]["values"])
    assert "unit_leader / 单位负责人" in role_values and "学员" in role_values


def test_the_import_page_lists_columns_and_links_the_samples(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/admin/imports/").content.decode()
    assert 'id="columns-roles"' in page and "截止日期" in page
    assert "/admin/imports/sample/roles.xlsx" in page
    response = client.get("/admin/imports/sample/roles.csv")
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").startswith("工号,角色,单位代码")
    assert "attachment" in response["Content-Disposition"]


def test_samples_are_refused_to_anonymous_and_to_people_who_cannot_import(
    client, unit_leader
):
    assert client.get("/admin/imports/sample/staff.csv").status_code in (302, 403)
    client.force_login(unit_leader)
    response = client.get("/admin/imports/sample/staff.csv")
    assert response.status_code in (302, 403, 404)
    assert b"SAMPLE" not in response.content
