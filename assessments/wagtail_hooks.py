"""Wagtail admin: the question bank, categories and quizzes as snippets, plus the
marking queue, item statistics and question import/export pages."""

from django.db.models import Q
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from cms.search import joiner_pattern

from .admin_forms import QuizAdminForm
from .admin_panels import question_edit_handler
from .bulk_actions import AddToQuizBulkAction
from .models import Category, Question, Quiz
from .panels import QuizPreviewPanel
from .permissions import can_mark, can_see_statistics
from .services import question_publish_version


def _yes_no(model, name):
    """A boolean field as a tick or cross under its translated heading, never True/False."""
    field = model._meta.get_field(name)
    return BooleanColumn(name, label=field.verbose_name, sort_key=name)


class QuestionIndexView(IndexView):
    def search_queryset(self, queryset):
        """Words typed without the joiners the bank writes: 案件比 finds 案-件比."""
        if not self.is_searching:
            return queryset
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": self.search_query})
            pattern = joiner_pattern(self.search_query)
            if pattern:
                query |= Q(**{f"{field}__iregex": pattern})
        return queryset.filter(query)


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = _("Question bank")
    add_to_admin_menu = False
    list_display = [
        "code",
        "text",
        "type",
        "category",
        "points",
        _yes_no(Question, "active"),
    ]
    list_filter = [
        "type",
        "category",
        "indicators",
        "business_lines",
        "difficulty",
        "active",
    ]
    edit_handler = question_edit_handler
    # The database backend would search only whole segmented words of the text and
    # refuses the code (an autocomplete field); a bank of a few thousand questions is
    # searched fastest and most predictably by substring: 案件比 inside a stem, or
    # the start of a code.
    search_backend_name = None
    index_view_class = QuestionIndexView
    search_fields = ["code", "text"]
    ordering = ["code"]


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "folder-open-inverse"
    menu_label = _("Question categories")
    add_to_admin_menu = False
    list_display = ["path"]
    search_backend_name = None
    search_fields = ["name", "path"]


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "form"
    menu_label = _("Quizzes")
    add_to_admin_menu = False
    list_display = [
        "title",
        "slug",
        _yes_no(Quiz, "draft"),
        "pass_mark",
        "time_limit_minutes",
    ]
    list_filter = ["draft", "feedback_mode"]
    search_backend_name = None
    search_fields = ["title", "slug"]
    edit_handler = ObjectList(
        [QuizPreviewPanel(), *Quiz.panels], base_form_class=QuizAdminForm
    )


Quiz.base_form_class = QuizAdminForm

register_snippet(QuestionViewSet)
register_snippet(CategoryViewSet)
register_snippet(QuizViewSet)


def _publish(request, instance):
    if isinstance(instance, Question):
        question_publish_version(question=Question.objects.get(pk=instance.pk))


hooks.register("register_bulk_action", AddToQuizBulkAction)
hooks.register("after_create_snippet", _publish)
hooks.register("after_edit_snippet", _publish)


class _LazyLink(MenuItem):
    def __init__(self, label, url_name, icon_name, order, check=None):
        self.url_name = url_name
        self.check = check
        super().__init__(label, "#", icon_name=icon_name, order=order)

    def is_shown(self, request):
        return self.check is None or self.check(request.user)

    def get_context(self, request):
        self.url = reverse(self.url_name)
        return super().get_context(request)


def _menu_items():
    return [
        _LazyLink(
            _("Question bank"), "wagtailsnippets_assessments_question:list", "help", 100
        ),
        _LazyLink(
            _("Question categories"),
            "wagtailsnippets_assessments_category:list",
            "folder-open-inverse",
            110,
        ),
        _LazyLink(_("Quizzes"), "wagtailsnippets_assessments_quiz:list", "form", 120),
        _LazyLink(
            _("Import and export questions"),
            "assessments_admin:transfer",
            "upload",
            130,
            can_see_statistics,
        ),
        _LazyLink(_("Marking"), "assessments_admin:marking", "edit", 140, can_mark),
        _LazyLink(
            _("Item statistics"),
            "assessments_admin:statistics",
            "table",
            150,
            can_see_statistics,
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_menu():
    return SubmenuMenuItem(
        _("Assessments"), Menu(items=_menu_items()), icon_name="form", order=260
    )


@hooks.register("register_admin_urls")
def register_urls():
    from . import admin_urls

    return [path("assessments/", include((admin_urls, "assessments_admin")))]
