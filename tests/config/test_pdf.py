"""The shared PDF helpers: text from data is shown as written, never read as
reportlab markup, and characters the bundled font lacks do not break a PDF."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from pypdf import PdfReader

from config.pdf import (
    FALLBACK_GLYPH,
    cjk_font,
    pdf_cells,
    pdf_markup,
    pdf_paragraph,
    pdf_text,
)

# Hostile or awkward titles, and what a reader must see for each.
HOSTILE = {
    "a < b > c": "a < b > c",
    "<i>斜体</i>": "<i>斜体</i>",
    "第一行<br>第二行": "第一行<br>第二行",
    '<img src="/etc/hostname"/>': '<img src="/etc/hostname"/>',
    "R&D &amp; 培训 &nbsp;": "R&D &amp; 培训 &nbsp;",
    '<a href="file:///etc/passwd">链接</a>': '<a href="file:///etc/passwd">链接</a>',
    '<font name="/etc/passwd">字</font>': '<font name="/etc/passwd">字</font>',
    "学习😀强国": f"学习{FALLBACK_GLYPH}强国",
    "生僻字𠀀": f"生僻字{FALLBACK_GLYPH}",
    "点赞👍🏽️": f"点赞{FALLBACK_GLYPH}{FALLBACK_GLYPH}",
}


def pdf_page_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def assert_shows_literally(data: bytes, expected: list[str]) -> None:
    assert data.startswith(b"%PDF")
    text = pdf_page_text(data)
    missing = [e for e in expected if e not in text]
    assert not missing
    # No image and no link came out of the data.
    assert b"/Subtype /Image" not in data
    assert b"/URI" not in data


def test_markup_from_data_is_escaped():
    assert pdf_markup('<img src="/etc/hostname"/> & <b>') == (
        '&lt;img src="/etc/hostname"/&gt; &amp; &lt;b&gt;'
    )


def test_characters_the_font_lacks_become_a_square_and_controls_a_space():
    assert pdf_text("检察😀院") == f"检察{FALLBACK_GLYPH}院"
    assert pdf_text("a\x00b\tc") == "a b c"
    assert pdf_text(None) == ""


def test_table_cells_keep_numbers_and_make_text_drawable():
    assert pdf_cells(["人😀", 3, 0.5, None]) == [f"人{FALLBACK_GLYPH}", 3, 0.5, ""]


def test_hostile_paragraphs_and_cells_build_and_show_as_written():
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import SimpleDocTemplate, Table

    style = ParagraphStyle("t", fontName=cjk_font(), fontSize=10, leading=14)
    story = [pdf_paragraph(title, style) for title in HOSTILE]
    story.append(
        Table(
            [pdf_cells([title]) for title in HOSTILE],
            style=[("FONTNAME", (0, 0), (-1, -1), cjk_font())],
        )
    )
    buffer = io.BytesIO()
    with mock.patch("builtins.open", side_effect=AssertionError("file opened")):
        SimpleDocTemplate(buffer).build(story)
    assert_shows_literally(buffer.getvalue(), list(HOSTILE.values()))


def test_unescaped_markup_is_what_broke_the_pdf():
    """The reason for the helpers: reportlab reads the raw title as markup."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    with pytest.raises(ValueError):
        Paragraph("<i>未闭合", ParagraphStyle("t", fontName=cjk_font()))
