from django.db import models
from django.utils.translation import gettext_lazy as _


class LrsPushMark(models.Model):
    """How far the statement feed has been delivered to one outside LRS.

    ``position`` is the feed key of the last statement the LRS acknowledged with a
    2xx (see api.xapi.Cursor); it only ever moves after such an answer.
    """

    endpoint = models.CharField(_("LRS endpoint"), max_length=300, unique=True)
    position = models.JSONField(null=True, blank=True)
    pushed = models.PositiveBigIntegerField(default=0)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("LRS delivery mark")
        verbose_name_plural = _("LRS delivery marks")

    def __str__(self) -> str:
        return self.endpoint
