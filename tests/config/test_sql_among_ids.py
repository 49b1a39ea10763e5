"""config.sql.among_ids selects what ``__in`` selects; without_jit leaves the
setting as it found it."""

from types import SimpleNamespace

import pytest
from django.db import connection, transaction

from config.sql import among_ids, bulk_update, without_jit
from organisation.models import Indicator

pytestmark = pytest.mark.django_db


def _indicators(count: int) -> list[Indicator]:
    return [
        Indicator.objects.create(code=f"AM-{n}", name=f"指标{n}", direction="range")
        for n in range(count)
    ]


def test_among_ids_selects_what_an_in_list_selects():
    made = _indicators(4)
    wanted = [made[0].pk, made[2].pk, made[2].pk, 0]
    ours = Indicator.objects.filter(among_ids("pk", wanted)).order_by("pk")
    reference = Indicator.objects.filter(pk__in=wanted).order_by("pk")
    assert list(ours) == list(reference) == [made[0], made[2]]
    assert not Indicator.objects.filter(among_ids("pk", [])).exists()
    assert Indicator.objects.exclude(among_ids("pk", wanted)).count() == 2


@pytest.mark.parametrize("copied", [False, True])
def test_plain_objects_are_updated_given_the_model(copied, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("plain objects are for PostgreSQL; the ORM takes instances")
    if copied:
        monkeypatch.setattr("config.sql.COPY_UPDATE_FROM", 1)
    made = _indicators(2)
    rows = [SimpleNamespace(id=i.pk, name=f"新{i.pk}") for i in made]
    bulk_update(rows, ["name"], model=Indicator)
    names = Indicator.objects.order_by("pk").values_list("name", flat=True)
    assert list(names) == [f"新{i.pk}" for i in made]


def test_without_jit_restores_the_setting():
    if connection.vendor != "postgresql":
        with without_jit():
            pass
        return

    def jit() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            return cursor.fetchone()[0]

    with transaction.atomic():
        before = jit()
        with without_jit():
            assert jit() == "off"
        assert jit() == before
