"""Question texts in three formats: plain text, HTML and Markdown.

What reaches a page is always built here: plain text is escaped, HTML is cleaned by
nh3 (a maintained allow-list sanitiser) and Markdown is rendered and then cleaned
the same way. Stored HTML was already cleaned at import; it is cleaned again when
shown, so a row edited by hand can never carry a script to a learner.
"""

from __future__ import annotations

import html
from urllib.parse import urlsplit

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

PLAIN, HTML, MARKDOWN = "plain", "html", "markdown"
FORMATS = (PLAIN, HTML, MARKDOWN)

TAGS = {
    # formatting
    "p", "br", "hr", "b", "strong", "i", "em", "u", "s", "sub", "sup", "small",
    "span", "code", "pre", "blockquote", "h3", "h4", "h5", "h6",
    # lists
    "ul", "ol", "li", "dl", "dt", "dd",
    # tables
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    # links and images
    "a", "img",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    # Images come from the platform itself: the intranet fetches nothing from
    # outside, and a remote image would tell a third party who opened the quiz.
    if tag == "img" and attribute == "src":
        parts = urlsplit(value)
        if parts.scheme or parts.netloc or not value.startswith("/"):
            return None
    return value


def sanitise(text: str) -> str:
    """HTML reduced to the allow-list: formatting, lists, tables, links, images."""
    return nh3.clean(
        text or "",
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_attribute_filter,
    )


def markdown_to_html(text: str) -> str:
    return markdown_lib.markdown(text or "", extensions=["tables", "sane_lists"])


def plain_to_html(text: str) -> str:
    return html.escape(text or "").replace("\r\n", "\n").replace("\n", "<br>")


def to_html(text: str, fmt: str) -> str:
    """The text as (not yet sanitised) HTML."""
    if fmt == HTML:
        return text or ""
    if fmt == MARKDOWN:
        return markdown_to_html(text)
    return plain_to_html(text)


def render(text: str, fmt: str | None) -> SafeString:
    """Safe HTML for a template, whatever the format."""
    if fmt in (HTML, MARKDOWN):
        return mark_safe(sanitise(to_html(text, fmt)))  # noqa: S308 - cleaned by nh3
    return mark_safe(plain_to_html(text))  # noqa: S308 - escaped


def as_text(text: str, fmt: str | None) -> str:
    """What a learner reads, without markup (for short labels and searches)."""
    if fmt in (HTML, MARKDOWN):
        return html.unescape(nh3.clean(to_html(text, fmt), tags=set())).strip()
    return text or ""
