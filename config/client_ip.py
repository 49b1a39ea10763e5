"""The address of the person making a request, as far as the platform can trust it.

Behind a reverse proxy every request arrives from the proxy's address, so counting
failures or requests per ``REMOTE_ADDR`` would count everyone together. Each proxy
appends the address it received the request from to ``X-Forwarded-For``; with
``TRUSTED_PROXY_COUNT`` proxies in front of the platform, the client is the entry
that the outermost of them appended: the ``TRUSTED_PROXY_COUNT``-th from the right.
Entries further left were written by the client itself and prove nothing, so they
are never used. With no proxy configured (the default) the header is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: from ``X-Forwarded-For`` only as far as the configured
    proxies vouch for it, else the address the request came from; None when the
    request has none (a request built in code, as by ``force_login``)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [
            part
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            address = _valid(forwarded[-proxies])
            if address:
                return address
    return _valid(remote)


def axes_client_ip(request: HttpRequest) -> str | None:
    """django-axes' AXES_CLIENT_IP_CALLABLE."""
    return client_ip(request)
