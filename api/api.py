"""The integration API at /api/v1/ (django-ninja) on Wagtail's API tokens.

Every endpoint requires ``Authorization: Bearer <token>`` (a token made with
``manage.py api_tokens create`` or in the admin) except certificate verification,
which is public like its page. Errors are JSON: 401 without a valid token, 403 for
a role that may not call the endpoint, 404 for anything outside the token user's
scope (never 403: no probing), 422 with every row error for a refused import, 429
past the token's rate limit.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from organisation.tabular import ImportRejected

from .auth import RateLimited, TokenAuth
from .imports import rejected_json
from .routers import insights, learning, organisation, xapi

api = NinjaAPI(
    title="检察教育培训平台 API",
    version="1.0",
    description=(
        "Units, staff, campaigns and their completion reports, completions, "
        "certificates, indicator values, gap analyses and xAPI statements."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs=Swagger(settings={"persistAuthorization": False}),
)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied):
    return api.create_response(
        request, {"detail": _("This token may not do that.")}, status=403
    )


@api.exception_handler(ImportRejected)
def import_rejected(request: HttpRequest, exc: ImportRejected):
    return api.create_response(request, rejected_json(exc), status=422)


@api.exception_handler(RateLimited)
def rate_limited(request: HttpRequest, exc: RateLimited):
    response = api.create_response(
        request, {"detail": _("Too many requests; try again later.")}, status=429
    )
    response["Retry-After"] = str(exc.seconds)
    return response


api.add_router("/", organisation.router)
api.add_router("/", learning.router)
api.add_router("/", insights.router)
api.add_router("/", xapi.router)
