import time

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin


class ChineseFirstLocaleMiddleware(MiddlewareMixin):
    """Chinese unless the user chose otherwise (the language cookie set by the switcher).

    The browser's Accept-Language is ignored on purpose: offices share machines with
    English system settings, and the platform is Chinese first.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the Wagtail admin's own script rule.

    The site's policy (CONTENT_SECURITY_POLICY) allows scripts from the platform
    itself and inline scripts carrying the request's nonce, nothing else. Wagtail's
    admin still writes a few inline scripts of its own (date pickers, inline panels)
    that carry no nonce, so under its prefix script-src is replaced by
    CSP_ADMIN_SCRIPT_SRC. Only trainers and administrators reach those pages.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(tuple(settings.CSP_ADMIN_PATH_PREFIXES)):
            parts.replace = {
                **(parts.replace or {}),
                "script-src": list(settings.CSP_ADMIN_SCRIPT_SRC),
            }
        return parts


class RefuseNulMiddleware:
    """Answer 400 to a request carrying a NUL character in its path, query string,
    form fields or JSON body.

    One check here rather than one per view: NUL reaches views through every
    parameter, PostgreSQL refuses it in any text (each case was a 500, and only on
    PostgreSQL, so SQLite tests never showed it), and no honest input contains it.
    Refusing is clearer than stripping: nothing is written from a request that
    carried one.

    Form fields are read after the CSRF check has parsed them anyway; views exempt
    from CSRF are skipped, so they may still choose their own upload handlers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in v for v in values)
            for key, values in request.GET.lists()
        ):
            return self.refuse(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        if "json" in (request.content_type or ""):
            body = request.body
            if b"\x00" in body or b"\\u0000" in body.lower():
                return self.refuse(request)
        elif request.method == "POST" and not getattr(view_func, "csrf_exempt", False):
            for key, values in request.POST.lists():
                if "\x00" in key or any("\x00" in v for v in values):
                    return self.refuse(request)
        return None

    def refuse(self, request):
        from django.http import JsonResponse
        from django.shortcuts import render
        from django.utils.translation import gettext as _

        message = _("The request contained a character that is not allowed.")
        wants_json = "json" in (request.content_type or "") or "json" in (
            request.headers.get("Accept") or ""
        )
        if wants_json:
            return JsonResponse(
                {"ok": False, "code": "bad_request", "error": message}, status=400
            )
        return render(request, "bad_request.html", {"message": message}, status=400)


class SessionIdleMiddleware:
    """Keep an active session alive: push its expiry back every few minutes of use.

    A session expires ``SESSION_COOKIE_AGE`` seconds after it was last saved. Marking
    it modified at most every ``SESSION_REFRESH_SECONDS`` makes that an idle timeout
    without a database write on every request.
    """

    KEY = "_idle_refreshed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            last = session.get(self.KEY, 0)
            if (
                not isinstance(last, int)
                or now - last >= settings.SESSION_REFRESH_SECONDS
            ):
                session[self.KEY] = now
        return response
