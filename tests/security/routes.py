"""The authorisation matrix: every URL route × role × own/other unit → allow or deny.

Each entry maps a route pattern (as the resolver spells it) to its cases. A case is
(label, method, url builder, expected); method is ``get``, ``post``,
``post:<form fields as a query string>`` or ``json`` (a well-formed autosave body),
and ``expected`` has one letter per role in
ROLES order — anonymous, learner, trainer, unit leader, leadership, administrator:
``A`` allowed, ``D`` denied (sign-in page, 403 or 404), ``-`` not checked.

The Wagtail admin (/admin/…) is one family: anonymous and non-staff roles are sent to
the admin's sign-in, and a sample of its parameterless pages is opened by every role.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver

from .conftest import PLANTED_STAFF_NO, ROLES

# Routes answered by a family rule rather than one entry each. The API answers tokens,
# not sessions: its endpoint × role matrix is in tests/api, and
# tests/api/test_api_site.py checks that a session opens none of it.
FAMILIES = ("admin/", "api/v1/")


def walk(patterns=None, prefix: str = ""):
    """Every route of the project as (pattern text, name)."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


def _tree(w, code):
    return w["tree"][code]


# Public: everyone may open it.
EVERYONE = "AAAAAA"
# Any signed-in person.
SIGNED_IN = "DAAAAA"
# Report readers: unit leaders (own subtree), leadership and administrators.
READERS = "DDDAAA"
# Province-wide readers only.
PROVINCE = "DDDDAA"
# Not checked for a role (e.g. the action needs state the role cannot have).
NOBODY = "DDDDDD"

MATRIX: dict[str, list[tuple]] = {
    "healthz": [("health", "get", lambda w: "/healthz", EVERYONE)],
    "accounts/login/": [("form", "get", lambda w: "/accounts/login/", EVERYONE)],
    "accounts/logout/": [("post", "post", lambda w: "/accounts/logout/", EVERYONE)],
    "accounts/password/": [("form", "get", lambda w: "/accounts/password/", SIGNED_IN)],
    "accounts/password/done/": [
        ("page", "get", lambda w: "/accounts/password/done/", SIGNED_IN)
    ],
    "i18n/setlang/": [
        ("post", "post", lambda w: "/i18n/setlang/", EVERYONE),
    ],
    "jsi18n/": [("catalogue", "get", lambda w: "/jsi18n/", EVERYONE)],
    "documents/^(\\d+)/(.*)$": [
        ("missing", "get", lambda w: "/documents/999999/x.pdf", NOBODY)
    ],
    "documents/authenticate_with_password/<int:restriction_id>/": [
        (
            "missing",
            "get",
            lambda w: "/documents/authenticate_with_password/999999/",
            NOBODY,
        )
    ],
    "search/": [("query", "get", lambda w: "/search/?q=课程", SIGNED_IN)],
    "learning/": [("dashboard", "get", lambda w: "/learning/", SIGNED_IN)],
    "learning/lessons/<int:lesson_id>/done/": [
        (
            "own",
            "post",
            lambda w: f"/learning/lessons/{w['lesson'].pk}/done/",
            SIGNED_IN,
        )
    ],
    "learning/certificates/<str:code>.pdf": [
        (
            "own",
            "get",
            lambda w: f"/learning/certificates/{w['certificate'].code}.pdf",
            "DA----",
        ),
        (
            "other",
            "get",
            lambda w: f"/learning/certificates/{w['other_certificate'].code}.pdf",
            "DDDDD-",
        ),
    ],
    "certificates/verify/": [
        ("form", "get", lambda w: "/certificates/verify/", EVERYONE)
    ],
    "certificates/verify/<str:code>/": [
        (
            "code",
            "get",
            lambda w: f"/certificates/verify/{w['certificate'].code}/",
            EVERYONE,
        )
    ],
    "notifications/": [("list", "get", lambda w: "/notifications/", SIGNED_IN)],
    "notifications/read/": [
        ("post", "post", lambda w: "/notifications/read/", SIGNED_IN)
    ],
    "reports/manage/campaigns/": [
        ("list", "get", lambda w: "/reports/manage/campaigns/", PROVINCE)
    ],
    "reports/manage/campaigns/new/": [
        ("form", "get", lambda w: "/reports/manage/campaigns/new/", PROVINCE)
    ],
    "reports/manage/campaigns/<str:code>/": [
        (
            "edit",
            "get",
            lambda w: f"/reports/manage/campaigns/{w['campaign'].code}/",
            PROVINCE,
        )
    ],
    "reports/manage/campaigns/<str:code>/exemptions/": [
        (
            "list",
            "get",
            lambda w: f"/reports/manage/campaigns/{w['campaign'].code}/exemptions/",
            PROVINCE,
        )
    ],
    "quizzes/": [("index", "get", lambda w: "/quizzes/", SIGNED_IN)],
    "quizzes/categories/": [
        ("list", "get", lambda w: "/quizzes/categories/", SIGNED_IN)
    ],
    "quizzes/categories/<int:category_id>/": [
        (
            "page",
            "get",
            lambda w: (
                f"/quizzes/categories/{w['quiz'].slots.first().question.category_id}/"
            ),
            SIGNED_IN,
        )
    ],
    "quizzes/attempts/<int:attempt_id>/": [
        ("own", "get", lambda w: f"/quizzes/attempts/{w['attempt'].pk}/", "DA----"),
        (
            "other",
            "get",
            lambda w: f"/quizzes/attempts/{w['other_attempt'].pk}/",
            NOBODY,
        ),
    ],
    "quizzes/attempts/<int:attempt_id>/save/": [
        (
            "other",
            "json",
            lambda w: f"/quizzes/attempts/{w['other_attempt'].pk}/save/",
            NOBODY,
        ),
    ],
    "quizzes/attempts/<int:attempt_id>/summary/": [
        (
            "own",
            "get",
            lambda w: f"/quizzes/attempts/{w['attempt'].pk}/summary/",
            "DA----",
        ),
        (
            "other",
            "get",
            lambda w: f"/quizzes/attempts/{w['other_attempt'].pk}/summary/",
            NOBODY,
        ),
    ],
    "quizzes/attempts/<int:attempt_id>/submit/": [
        (
            "other",
            "post",
            lambda w: f"/quizzes/attempts/{w['other_attempt'].pk}/submit/",
            NOBODY,
        ),
    ],
    "quizzes/attempts/<int:attempt_id>/result/": [
        (
            "other",
            "get",
            lambda w: f"/quizzes/attempts/{w['other_attempt'].pk}/result/",
            NOBODY,
        ),
    ],
    "quizzes/<slug:slug>/": [
        ("quiz", "get", lambda w: f"/quizzes/{w['quiz'].slug}/", SIGNED_IN)
    ],
    "reports/": [("index", "get", lambda w: "/reports/", READERS)],
    "reports/campaigns/<str:code>/": [
        (
            "campaign",
            "get",
            lambda w: f"/reports/campaigns/{w['campaign'].code}/",
            READERS,
        )
    ],
    "reports/campaigns/<str:code>/units/<str:unit_code>/": [
        (
            "own",
            "get",
            lambda w: f"/reports/campaigns/{w['campaign'].code}/units/G1/",
            READERS,
        ),
        (
            "other",
            "get",
            lambda w: f"/reports/campaigns/{w['campaign'].code}/units/G3/",
            PROVINCE,
        ),
    ],
    "reports/campaigns/<str:code>/units/<str:unit_code>/people.csv": [
        (
            "own",
            "get",
            lambda w: f"/reports/campaigns/{w['campaign'].code}/units/G1/people.csv",
            READERS,
        ),
        (
            "other",
            "get",
            lambda w: f"/reports/campaigns/{w['campaign'].code}/units/G3/people.csv",
            PROVINCE,
        ),
    ],
    "reports/campaigns/<str:code>/units/<str:unit_code>/export/": [
        (
            "own",
            "post:format=csv",
            lambda w: f"/reports/campaigns/{w['campaign'].code}/units/G1/export/",
            READERS,
        ),
        (
            "other",
            "post:format=csv",
            lambda w: f"/reports/campaigns/{w['campaign'].code}/units/G3/export/",
            PROVINCE,
        ),
    ],
    "reports/exports/<int:pk>/": [
        (
            "own",
            "get",
            lambda w: f"/reports/exports/{w['own_export'].pk}/",
            "DDDA--",
        ),
        (
            "province",
            "get",
            lambda w: f"/reports/exports/{w['province_export'].pk}/",
            "DDDD--",
        ),
    ],
    "reports/exports/<int:pk>/download/": [
        (
            "province",
            "get",
            lambda w: f"/reports/exports/{w['province_export'].pk}/download/",
            "DDDD--",
        ),
    ],
    "reports/matrix/": [("home", "get", lambda w: "/reports/matrix/", READERS)],
    "reports/matrix/<str:unit_code>/": [
        ("own", "get", lambda w: "/reports/matrix/G1/", READERS),
        ("other", "get", lambda w: "/reports/matrix/G3/", PROVINCE),
    ],
    "learning/lessons/<int:lesson_id>/video/": [
        ("missing", "post", lambda w: "/learning/lessons/999999/video/", NOBODY)
    ],
    "hours/": [("mine", "get", lambda w: "/hours/", SIGNED_IN)],
    "hours/record.pdf": [("mine", "get", lambda w: "/hours/record.pdf", SIGNED_IN)],
    "hours/sign-in/": [("form", "get", lambda w: "/hours/sign-in/", SIGNED_IN)],
    "hours/classes/": [("list", "get", lambda w: "/hours/classes/", "DD-AAA")],
    "hours/sessions/<int:pk>/code/": [
        ("missing", "post", lambda w: "/hours/sessions/999999/code/", NOBODY)
    ],
    "hours/sessions/<int:pk>/qr.svg": [
        ("missing", "get", lambda w: "/hours/sessions/999999/qr.svg", NOBODY)
    ],
    "reports/hours/": [("home", "get", lambda w: "/reports/hours/", READERS)],
    "reports/hours/people/<str:staff_no>/record.pdf": [
        ("own", "get", lambda w: "/reports/hours/people/L0001/record.pdf", READERS),
        (
            "other",
            "get",
            lambda w: f"/reports/hours/people/{PLANTED_STAFF_NO}/record.pdf",
            PROVINCE,
        ),
    ],
    "reports/hours/<str:unit_code>/": [
        ("own", "get", lambda w: "/reports/hours/G1/", READERS),
        ("other", "get", lambda w: "/reports/hours/G3/", PROVINCE),
    ],
    "reports/hours/<str:unit_code>/people.<str:fmt>": [
        ("own", "get", lambda w: "/reports/hours/G1/people.csv", READERS),
        ("other", "get", lambda w: "/reports/hours/G3/people.csv", PROVINCE),
    ],
    "reports/hours/<str:unit_code>/upward.xlsx": [
        ("own", "get", lambda w: "/reports/hours/G1/upward.xlsx", READERS),
        ("other", "get", lambda w: "/reports/hours/G3/upward.xlsx", PROVINCE),
    ],
    "practice/": [("today", "get", lambda w: "/practice/", SIGNED_IN)],
    "practice/answers/<int:answer_id>/": [
        ("missing", "post", lambda w: "/practice/answers/999999/", NOBODY)
    ],
    "practice/book/": [("book", "get", lambda w: "/practice/book/", SIGNED_IN)],
    "practice/week/": [("week", "get", lambda w: "/practice/week/", SIGNED_IN)],
    "insights/": [("index", "get", lambda w: "/insights/", READERS)],
    "insights/units/<str:code>/": [
        ("other", "get", lambda w: "/insights/units/G3/", "DDDD--"),
    ],
    "insights/more/": [("more", "get", lambda w: "/insights/more/", READERS)],
    "insights/export.<str:fmt>": [
        ("csv", "get", lambda w: "/insights/export.csv", READERS),
    ],
    "insights/gaps/campaign/": [
        ("post", "post", lambda w: "/insights/gaps/campaign/", "DDDD--"),
    ],
    "^media/(?P<path>.*)$": [
        ("missing", "get", lambda w: "/media/nothing-here.txt", NOBODY),
    ],
    "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/": [
        (
            "missing",
            "get",
            lambda w: "/_util/authenticate_with_password/999999/1/",
            NOBODY,
        ),
    ],
    "_util/login/": [("form", "get", lambda w: "/_util/login/", EVERYONE)],
    "^((?:[\\w\\-]+/)*)$": [
        ("home", "get", lambda w: "/", EVERYONE),
        ("lesson", "get", lambda w: w["lesson"].url, SIGNED_IN),
    ],
}


# Routes that exist only in some settings (media files are served by Django only
# with DEBUG on).
OPTIONAL = ("^media/(?P<path>.*)$",)


def covered(route: str) -> bool:
    return route in MATRIX or route.startswith(FAMILIES)


def expected(letters: str) -> dict[str, str]:
    return dict(zip(ROLES, letters, strict=True))
