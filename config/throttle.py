"""Per-address limits on the forms that an attacker would post in a loop.

Sign-in (the site's and the admin's) and the admin's password reset, which sends an
e-mail each time, are counted per client address (``config.client_ip``) in a fixed
window kept in the cache: ``RATE_LIMITS`` maps each to ``(posts, seconds)``. Past
the limit the post is refused with 429 and a message, before the view runs.

A counter that cannot be kept (the cache is unreachable) lets the request through:
losing the limit for the length of an outage is better than refusing every sign-in,
and django-axes' lockouts, kept in the database, still hold.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

from .client_ip import client_ip

logger = logging.getLogger(__name__)

# URL name → the limit it counts against.
LIMITED_VIEWS = {
    "login": "sign_in",
    "wagtailadmin_login": "sign_in",
    "wagtailadmin_password_reset": "password_reset",
}


def hit(scope: str, address: str, *, now: float | None = None) -> bool:
    """Count one post of ``address`` against ``scope``; False when over the limit."""
    posts, seconds = settings.RATE_LIMITS[scope]
    window = int((time.time() if now is None else now) // seconds)
    key = f"ratelimit:{scope}:{address}:{window}"
    try:
        if cache.add(key, 1, seconds + 1):
            return True
        count = cache.incr(key)
    except ValueError:
        # No key to count in: it expired between the two calls, or the cache is
        # unreachable (config/cache.py answers as a miss).
        return True
    except Exception:
        logger.exception("rate limit counter unavailable; request allowed")
        return True
    return count <= posts


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.resolver_match is None:
            return None
        scope = LIMITED_VIEWS.get(request.resolver_match.url_name)
        if scope is None or scope not in settings.RATE_LIMITS:
            return None
        if hit(scope, client_ip(request) or "unknown"):
            return None
        _posts, seconds = settings.RATE_LIMITS[scope]
        minutes = max(1, round(seconds / 60))
        if scope == "password_reset":
            title = _("Too many password reset requests")
        else:
            title = _("Too many sign-in attempts")
        message = _(
            "Too many requests came from this network address. "
            "Wait %(minutes)s minutes and try again."
        ) % {"minutes": minutes}
        response = render(
            request,
            "registration/rate_limited.html",
            {"title": title, "message": message},
            status=429,
        )
        response["Retry-After"] = str(seconds)
        return response
