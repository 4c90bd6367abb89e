"""Background work of matchmaking: keeping the search indexes current. Tasks take keys."""

from __future__ import annotations

from django_tasks import task

from icn.matching import index


@task()
def reindex_record(kind: str, pk: int) -> bool:
    """Store a fresh vector for one changed record; returns whether the record still exists."""
    return index.reindex_record(kind, pk)
