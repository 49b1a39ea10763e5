from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Site pages")

    def ready(self):
        from wagtail.signals import page_published, page_unpublished

        from . import signals

        page_published.connect(signals.page_published, dispatch_uid="cms.search.pub")
        page_unpublished.connect(
            signals.page_unpublished, dispatch_uid="cms.search.unpub"
        )
