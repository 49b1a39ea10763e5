"""Who a request to the API is: the user of a Wagtail API token, counted per token.

A token acts as its user: every endpoint reads through the same scoping selectors as
the pages, so a unit leader's token sees that subtree and nothing else. Wagtail's
``BearerTokenAuth`` resolves the token (revoked tokens and inactive users are
refused, and a session cookie never stands in for a token); on top of it each token
is counted against ``RATE_LIMITS["api"]`` (config/throttle.py).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from wagtail.api.v3.auth import AllowAnonymous, BearerTokenAuth


class RateLimited(Exception):
    """The token has used up its requests for the current window."""

    def __init__(self, seconds: int):
        self.seconds = seconds
        super().__init__(seconds)


class TokenAuth(BearerTokenAuth):
    def authenticate(self, request: HttpRequest, token: str):
        from config.throttle import hit

        api_token = super().authenticate(request, token)
        if api_token is None:
            return None
        if not hit("api", f"token-{api_token.pk}"):
            raise RateLimited(settings.RATE_LIMITS["api"][1])
        return api_token


# Endpoints anyone may call (certificate verification): a token is used when sent,
# otherwise the request is anonymous whatever cookie it carries.
TOKEN_OR_ANONYMOUS = [TokenAuth(), AllowAnonymous()]
