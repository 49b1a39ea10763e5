"""PDF generation helpers shared by certificates and report exports.

The CJK font ships with the platform (static/fonts, Apache-2.0), so PDFs render
Chinese without any font fetched or installed at run time. Glyphs are embedded
as a subset.

Every text from data (campaign, course and unit titles, people's names, headings,
table cells) reaches reportlab through these helpers, never directly:

- ``pdf_paragraph(text, style)`` for a Paragraph. reportlab parses Paragraph text
  as XML-like markup in which ``<img src=…>`` opens a local file, ``<a>`` makes a
  link and ``<font>`` loads a font; a title such as ``<i>`` or ``a < b`` makes the
  build raise. The helper escapes ``& < >`` so such text shows as written.
- ``pdf_cells(row)`` for a table row (Table draws plain strings) and
  ``pdf_text(text)`` for a canvas string.

All of them put a white square in place of a character the bundled font lacks
(emoji, CJK beyond its range), so the reader sees that something was there.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from xml.sax.saxutils import escape

from django.conf import settings

CJK_FONT = "WQYMicroHei"
# U+25A1 WHITE SQUARE: in the bundled font, and read as "a character not shown".
FALLBACK_GLYPH = "\u25a1"


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """Register the bundled CJK font with reportlab once; return its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = settings.BASE_DIR / "static" / "fonts" / "wqy-microhei.ttc"
    pdfmetrics.registerFont(TTFont(CJK_FONT, str(path), subfontIndex=0))
    return CJK_FONT


@lru_cache(maxsize=1)
def _covered() -> frozenset[int]:
    from reportlab.pdfbase import pdfmetrics

    return frozenset(pdfmetrics.getFont(cjk_font()).face.charToGlyph)


def pdf_text(value: object) -> str:
    """``value`` as plain text the bundled font can draw.

    A character the font lacks becomes FALLBACK_GLYPH; invisible modifiers it lacks
    (emoji variation selectors, combining marks) are dropped; control characters
    other than a line break become spaces.
    """
    if value is None:
        return ""
    covered = _covered()
    out = []
    for ch in str(value):
        if ch == "\n":
            out.append(ch)
        elif unicodedata.category(ch) == "Cc":
            out.append(" ")
        elif ord(ch) in covered:
            out.append(ch)
        elif unicodedata.category(ch) not in ("Mn", "Me", "Cf"):
            out.append(FALLBACK_GLYPH)
    return "".join(out)


def pdf_markup(value: object) -> str:
    """``value`` as Paragraph markup that shows it literally: nothing in it is a tag
    or an entity, so no image, link or font named by the data is ever loaded."""
    return escape(pdf_text(value)).replace("\n", "<br/>")


def pdf_paragraph(value: object, style):
    """A reportlab Paragraph showing ``value`` as written, in ``style``."""
    from reportlab.platypus import Paragraph

    return Paragraph(pdf_markup(value), style)


def pdf_cells(row: Iterable[object]) -> list:
    """One table row for reportlab's Table: texts made drawable, numbers kept."""
    return [
        cell
        if isinstance(cell, int | float) and not isinstance(cell, bool)
        else pdf_text(cell)
        for cell in row
    ]


def page_marks_canvas(*, font: str, marking: str, footer: str, page_text):
    """A reportlab canvas class for ``doc.build(canvasmaker=…)`` that marks every page:
    ``marking`` (e.g. 内部资料 注意保管) at the top right, ``footer`` at the bottom
    left and ``page_text(n, total)`` ("第 n 页，共 m 页") at the bottom right.

    Pages are held back until the document ends, when their count is known. The
    texts are drawn as plain strings (never parsed as markup)."""
    from reportlab.pdfgen.canvas import Canvas

    class MarkedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._held: list[dict] = []

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._held)
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                self._draw_marks(number, total)
                super().showPage()
            super().save()

        def _draw_marks(self, number: int, total: int) -> None:
            width, height = self._pagesize
            margin = 12 * 72 / 25.4
            self.saveState()
            self.setFont(font, 9)
            self.setFillColorRGB(0.75, 0.1, 0.1)
            self.drawRightString(width - margin, height - margin + 2, pdf_text(marking))
            self.setFillColorRGB(0.35, 0.38, 0.42)
            self.setFont(font, 8)
            self.drawString(margin, margin - 16, pdf_text(footer))
            self.drawRightString(
                width - margin, margin - 16, pdf_text(page_text(number, total))
            )
            self.restoreState()

    return MarkedCanvas
