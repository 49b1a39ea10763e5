import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cms.search import joiner_pattern

register = template.Library()


@register.filter
def highlight(text: str, terms) -> SafeString:
    """The text, escaped, with each search term wrapped in <mark>.

    Terms are matched as the index matches them: without regard to case, and with
    the joiners the index ignores allowed between characters (案件比 marks 案-件比).
    The longest term wins where two overlap (案件比 before 案件).
    """
    text = str(text or "")
    words = sorted({t for t in terms or () if t and t.strip()}, key=len, reverse=True)
    if not words:
        return escape(text)
    pattern = re.compile(
        "|".join(joiner_pattern(w) or re.escape(w) for w in words), re.IGNORECASE
    )
    out, at = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[at : match.start()]))
        out.append(f"<mark>{escape(match.group())}</mark>")
        at = match.end()
    out.append(escape(text[at:]))
    return mark_safe("".join(out))  # every piece of the data was escaped above
