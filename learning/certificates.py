"""The certificate PDF: A4 landscape, Chinese set in the bundled CJK font."""

from __future__ import annotations

import io

from django.utils import translation
from django.utils.translation import gettext as _

from config.pdf import cjk_font, pdf_text

from .models import Certificate


def _date(value) -> str:
    if translation.get_language() == "zh-hans":
        return f"{value.year}年{value.month}月{value.day}日"
    return value.strftime("%d %B %Y")


def certificate_pdf(*, certificate: Certificate, verify_url: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    font = cjk_font()
    completion = certificate.completion
    course = completion.course
    profile = getattr(completion.user, "profile", None)
    # Names and titles come from imports: drawn through pdf_text so that a character
    # the bundled font lacks (emoji, rare CJK) shows as a square.
    name = pdf_text(profile.name if profile else completion.user.get_username())
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"{_('Certificate of completion')} {certificate.code}")
    red = colors.HexColor("#b3261e")
    pdf.setStrokeColor(red)
    pdf.setLineWidth(4)
    pdf.rect(28, 28, width - 56, height - 56)
    pdf.setLineWidth(1)
    pdf.rect(38, 38, width - 76, height - 76)
    pdf.setFillColor(red)
    pdf.setFont(font, 34)
    pdf.drawCentredString(width / 2, height - 120, _("Certificate of completion"))
    pdf.setFillColor(colors.black)
    pdf.setFont(font, 22)
    pdf.drawCentredString(width / 2, height - 200, name)
    pdf.setFont(font, 16)
    pdf.drawCentredString(width / 2, height - 245, _("has completed the course"))
    pdf.setFont(font, 24)
    pdf.drawCentredString(
        width / 2, height - 295, pdf_text(f"{course.code}  {course.title}")
    )
    pdf.setFont(font, 14)
    details = _(
        "Class hours: %(hours)s   Completed on: %(date)s   Version: %(version)s"
    ) % {
        "hours": course.class_hours,
        "date": _date(completion.completed_on),
        "version": completion.version,
    }
    pdf.drawCentredString(width / 2, height - 340, details)
    pdf.setFont(font, 11)
    pdf.setFillColor(colors.HexColor("#57606a"))
    pdf.drawCentredString(
        width / 2,
        90,
        _("Verification code: %(code)s   Check it at %(url)s")
        % {"code": certificate.code, "url": verify_url},
    )
    pdf.drawCentredString(width / 2, 70, _("Procuratorate Training Platform"))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
