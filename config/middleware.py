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
