"""The product's URLconf plus the benchmark's bare baseline views (bench only)."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from config.urls import urlpatterns as product_urlpatterns
from organisation.models import StaffProfile


def baseline_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Read one row by primary key and render a few bytes of it."""
    name = StaffProfile.objects.filter(pk=pk).values_list("name", flat=True).first()
    return JsonResponse({"name": name})


def baseline_write(request: HttpRequest, pk: int) -> HttpResponse:
    """Write one row (an upsert into the benchmark's scratch table)."""
    value = request.body[:200].decode("utf-8", "replace")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_write (slot, value) VALUES (%s, %s) "
            "ON CONFLICT (slot) DO UPDATE SET value = EXCLUDED.value",
            [pk, value],
        )
    return JsonResponse({"ok": True})


urlpatterns = [
    path("bench/baseline/read/<int:pk>/", baseline_read),
    path("bench/baseline/write/<int:pk>/", baseline_write),
    *product_urlpatterns,
]
