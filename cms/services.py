"""Services for the site's page tree."""

from django.db import transaction
from wagtail.models import Locale, Page, Site

from .models import HomePage

SITE_NAME = "检察教育培训平台"


@transaction.atomic
def site_ensure_home() -> HomePage:
    """Make sure the page tree has its root, the home page and the default site (idempotent)."""
    home = HomePage.objects.first()
    if home is None:
        Locale.objects.get_or_create(language_code="zh-hans")
        root = Page.get_first_root_node()
        if root is None:
            root = Page.add_root(title="Root", slug="root")
        home = root.add_child(
            instance=HomePage(
                title=SITE_NAME,
                slug="home",
                intro="<p>面向全省检察人员的法治教育与业务培训平台。</p>",
            )
        )
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={
            "hostname": "localhost",
            "port": 80,
            "root_page": home,
            "site_name": SITE_NAME,
        },
    )
    return home
