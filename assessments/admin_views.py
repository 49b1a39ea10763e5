"""Admin pages of the assessment engine (filled in below)."""

from django.core.exceptions import PermissionDenied
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin


class _Placeholder(WagtailAdminTemplateMixin, TemplateView):
    template_name = "wagtailadmin/generic/base.html"

    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied


MarkingView = AttemptMarkView = StatisticsView = TransferView = _Placeholder


def statistics_export(request):
    raise PermissionDenied


def questions_export(request):
    raise PermissionDenied
