"""Keep the Chinese search index in step with what is published.

The index is written inside the publishing transaction, so it never lists a page
whose publication was rolled back.
"""

from __future__ import annotations


def page_published(sender, instance, **kwargs) -> None:
    from .search import index_page

    index_page(instance)


def page_unpublished(sender, instance, **kwargs) -> None:
    from .search import unindex_page

    unindex_page(instance.pk)
