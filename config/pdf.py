"""PDF generation helpers shared by certificates and report exports.

The CJK font ships with the platform (static/fonts, Apache-2.0), so PDFs render
Chinese without any font fetched or installed at run time. Glyphs are embedded
as a subset.
"""

from functools import lru_cache

from django.conf import settings

CJK_FONT = "WQYMicroHei"


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """Register the bundled CJK font with reportlab once; return its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = settings.BASE_DIR / "static" / "fonts" / "wqy-microhei.ttc"
    pdfmetrics.registerFont(TTFont(CJK_FONT, str(path), subfontIndex=0))
    return CJK_FONT


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
            self.drawRightString(width - margin, height - margin + 2, marking)
            self.setFillColorRGB(0.35, 0.38, 0.42)
            self.setFont(font, 8)
            self.drawString(margin, margin - 16, footer)
            self.drawRightString(width - margin, margin - 16, page_text(number, total))
            self.restoreState()

    return MarkedCanvas
