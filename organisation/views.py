import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.i18n import set_language

from . import services
from .forms import SignInForm

logger = logging.getLogger(__name__)

# Seconds each dependency gets to answer a health check.
HEALTH_TIMEOUT = 1.0


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True


def language_switch(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also stores a signed-in person's choice: the
    cookie stays in one browser, while reminder emails are written in the stored one."""
    response = set_language(request)
    code = request.POST.get("language", "") if request.method == "POST" else ""
    if request.user.is_authenticated and code in dict(settings.LANGUAGES):
        services.language_preference_set(user=request.user, language=code)
    return response


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health check: the database does not answer")
        return "down"
    return "ok"


def _cache_state() -> str:
    """ "ok" or "down"; a cache that is not shared (local memory) is "local"."""
    cache = caches["default"]
    ping = getattr(cache, "ping", None)
    if ping is None:
        return "local"
    return "ok" if ping() else "down"


def _broker_state() -> str:
    """ "ok" or "down"; without a broker tasks run in-process: "eager"."""
    from config.celery import app

    if app.conf.task_always_eager or not settings.CELERY_BROKER_URL:
        return "eager"
    try:
        # The configured URL itself: Celery would prefer a CELERY_BROKER_URL found in
        # the environment over the settings this process was started with.
        with app.connection_for_write(
            url=settings.CELERY_BROKER_URL, connect_timeout=HEALTH_TIMEOUT
        ) as conn:
            conn.ensure_connection(max_retries=0, timeout=HEALTH_TIMEOUT)
    except Exception as error:
        logger.warning("health check: the broker does not answer: %s", error)
        return "down"
    return "ok"


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and probes: 200 when the database answers, 503 otherwise.

    The cache and the broker are named separately: the site keeps serving without
    them (the cache fails open, tasks are swept up later), so they do not fail the
    check, but a probe can see them.
    """
    states = {
        "database": _database_state(),
        "cache": _cache_state(),
        "broker": _broker_state(),
    }
    healthy = states["database"] == "ok"
    degraded = "down" in states.values()
    status = "ok" if not degraded else ("degraded" if healthy else "error")
    return JsonResponse({"status": status, **states}, status=200 if healthy else 503)
