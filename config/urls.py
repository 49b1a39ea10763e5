from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from learning.serving import page_serve
from organisation import views as organisation_views

urlpatterns = [
    path("healthz", organisation_views.healthz, name="healthz"),
    path("", include("api.urls")),
    path("accounts/", include("organisation.urls")),
    path("i18n/setlang/", organisation_views.language_switch, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Each app declares its own addresses (learning: /learning/, /certificates/, /search/;
    # assessments: /quizzes/; reports: /reports/; insights: /insights/;
    # practice: /practice/).
    path("", include("cms.urls")),
    path("", include("learning.urls")),
    path("", include("learning.campaigns.urls")),
    path("", include("assessments.urls")),
    path("", include("reports.urls")),
    path("", include("hours.urls")),
    path("", include("insights.urls")),
    path("", include("practice.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page serving comes last: it answers every address not matched above.
# Lessons and courses are found in one query first (learning.serving); every other
# page, and any page under a view restriction, goes on to Wagtail's own serving.
urlpatterns += [p for p in wagtail_urls.urlpatterns if p.name != "wagtail_serve"]
urlpatterns.append(re_path(wagtail_urls.serve_pattern, page_serve, name="page_serve"))
urlpatterns.append(path("", include(wagtail_urls)))
