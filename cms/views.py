from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .search import search


@login_required
@require_GET
def search_view(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:100]
    terms, hits = search(query) if query else ([], [])
    return render(
        request,
        "cms/search.html",
        {"search_query": query, "terms": terms, "hits": hits},
    )
