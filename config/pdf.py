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
