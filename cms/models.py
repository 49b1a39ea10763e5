from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index


class HomePage(Page):
    """The site's front page: a welcome text and what is new, edited in the CMS."""

    intro = RichTextField(_("introduction"), blank=True)
    body = StreamField(
        [
            ("heading", blocks.CharBlock(form_classname="title", icon="title")),
            ("paragraph", blocks.RichTextBlock(icon="pilcrow")),
        ],
        blank=True,
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")


class StandardPage(Page):
    """A plain content page (notices, rules, help)."""

    body = StreamField(
        [
            ("heading", blocks.CharBlock(form_classname="title", icon="title")),
            ("paragraph", blocks.RichTextBlock(icon="pilcrow")),
        ],
        blank=True,
    )

    content_panels = Page.content_panels + [FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("body")]
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]

    class Meta:
        verbose_name = _("standard page")


class SearchEntry(models.Model):
    """A published page's text cut into words (Chinese segmented with jieba).

    Terms are stored space-separated with a space at each end, so a whole-word match
    is a plain ``contains " term "`` lookup that behaves the same on SQLite and
    PostgreSQL. Kept by ``cms.search`` when pages are published or withdrawn.
    """

    page = models.OneToOneField(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    kind = models.CharField(max_length=20)
    title_terms = models.TextField(blank=True)
    body_terms = models.TextField(blank=True)
    plain_text = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")

    def __str__(self) -> str:
        return f"{self.kind} #{self.page_id}"
