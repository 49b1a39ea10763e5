"""Hostile files for every table importer: always "all applied" or "nothing written"
with row/column messages, under a memory cap."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest
from django.apps import apps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from organisation.importing import REGISTRY, run_import
from organisation.tabular import ImportRejected, read_table

MEMORY_CAP = 200 * 1024 * 1024
HEADERS = {
    "units": ["code", "name", "parent_code", "level", "business_line"],
    "staff": ["staff_no", "name", "unit_code", "position", "is_leader", "hired_on"],
    "indicators": ["code", "name_zh", "name_en", "business_line", "direction"],
    "questions": ["code", "category", "type", "text", "option_a", "answer"],
    "results": ["staff_no", "question_code", "score", "answered_on"],
    "campaigns": ["code", "title", "courses", "units", "due_on"],
    "completions": ["staff_no", "course_code", "completed_on"],
}
CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            "P",
            "C1",
            "G1",
            "L0001",
            "=1+1",
            "+cmd",
            "@SUM(A1)",
            "-1",
            "是",
            "否",
            "2026-13-45",
            "grassroots",
            "single",
            "A",
            "1:1.31",
            "x" * 5000,
            "\x00",
            "<script>",
            "'; DROP TABLE x;--",
            "NaN",
            "1e309",
        ]
    ),
    st.text(max_size=30),
)


def _counts() -> dict:
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


def _csv(headers, rows) -> str:
    out = io.StringIO()
    import csv

    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def _attempt(kind: str, data: bytes, filename: str) -> None:
    importer = REGISTRY[kind]
    before = _counts()
    tracemalloc.start()
    try:
        table = read_table(data, filename=filename)
        run_import(importer.run, table=table)
    except ImportRejected as rejected:
        assert rejected.errors
        for error in rejected.errors:
            assert hasattr(error, "row") and hasattr(error, "column")
            assert str(error.message)
        assert _counts() == before, "a refused import wrote something"
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < MEMORY_CAP


TABLE_KINDS = sorted(k for k in HEADERS if k in REGISTRY)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", TABLE_KINDS)
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(st.lists(CELLS, min_size=0, max_size=8), max_size=6),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1"]),
    duplicate=st.booleans(),
)
def test_hostile_csv_is_applied_whole_or_refused_whole(
    tree, kind, rows, encoding, duplicate
):
    if duplicate and rows:
        rows = rows + [rows[0]]
    data = _encode(_csv(HEADERS[kind], rows), encoding)
    _attempt(kind, data, f"{kind}.csv")


def _xlsx(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in parts.items():
            book.writestr(name, data)
    return out.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
    b'2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="'
    b'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b"</Types>"
)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", TABLE_KINDS)
def test_a_zip_bomb_xlsx_is_refused_within_the_memory_cap(tree, kind):
    bomb = b"<row>" + b"<c><v>0</v></c>" * 10 + b"</row>"
    sheet = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData>' + bomb * 400_000 + b"</sheetData>"
        b"</worksheet>"
    )
    data = _xlsx(
        {"[Content_Types].xml": CONTENT_TYPES, "xl/worksheets/sheet1.xml": sheet}
    )
    assert len(data) < len(sheet) // 50  # it really is a bomb
    _attempt(kind, data, f"{kind}.xlsx")


@pytest.mark.django_db
@pytest.mark.parametrize("kind", TABLE_KINDS)
def test_xml_entity_attacks_in_xlsx_are_refused(tree, kind):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
        b'<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;&xxe;</t></is>'
        b"</c></row></sheetData></worksheet>"
    )
    data = _xlsx(
        {"[Content_Types].xml": CONTENT_TYPES, "xl/worksheets/sheet1.xml": laughs}
    )
    _attempt(kind, data, f"{kind}.xlsx")
