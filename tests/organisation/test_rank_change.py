"""The roster import records the day a person's rank category changed."""

import pytest
from django.utils import timezone

from organisation.models import StaffProfile
from tests.organisation.helpers import run_command, write_csv

pytestmark = pytest.mark.django_db


def test_a_changed_rank_category_is_dated_and_an_unchanged_one_is_not(tmp_path, tree):
    path = tmp_path / "s.csv"
    write_csv(
        path, "工号,姓名,单位代码,职级类别\nJ1,张三,G1,乡科级\nJ2,李四,G1,general\n"
    )
    run_command("import_staff", path)
    assert StaffProfile.objects.get(staff_no="J1").rank_changed_on is None
    write_csv(
        path, "工号,姓名,单位代码,职级类别\nJ1,张三,G1,县处级以上\nJ2,李四,G1,乡科级\n"
    )
    code, summary, _err = run_command("import_staff", path)
    assert code == 0 and summary["updated"] == 1 and summary["unchanged"] == 1
    j1, j2 = StaffProfile.objects.order_by("staff_no")
    assert (j1.rank_category, j1.rank_changed_on) == ("leading", timezone.localdate())
    assert (j2.rank_category, j2.rank_changed_on) == ("general", None)
