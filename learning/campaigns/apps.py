from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "learning.campaigns"
    label = "campaigns"
    verbose_name = _("Mandatory training campaigns")

    def ready(self) -> None:
        from assessments.signals import attempt_marked
        from organisation.importing import register
        from organisation.signals import roster_changed

        from . import importers, receivers

        register(
            "campaigns",
            _("Training campaigns"),
            importers.campaigns_import,
            sample_codes=importers.sample_codes,
        )
        register(
            "completions",
            _("Offline completions"),
            importers.completions_import,
            sample_codes=importers.sample_codes,
        )
        attempt_marked.connect(
            receivers.attempt_marked_notify, dispatch_uid="campaigns_marked_notice"
        )
        roster_changed.connect(
            receivers.roster_changed_sync, dispatch_uid="campaigns_roster_sync"
        )
