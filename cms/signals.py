"""Keep the Chinese search index in step with what is published."""

from __future__ import annotations

from django.db import transaction


def page_published(sender, instance, **kwargs) -> None:
    from .search import index_page

    transaction.on_commit(lambda: index_page(instance))


def page_unpublished(sender, instance, **kwargs) -> None:
    from .search import unindex_page

    page_id = instance.pk
    transaction.on_commit(lambda: unindex_page(page_id))
