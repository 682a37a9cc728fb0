"""Stores: one interface, an SQLite implementation (default) and room for PostgreSQL."""

from __future__ import annotations

from kabar.store.base import Store, StoreError, StoryFilter
from kabar.store.sqlite import SQLiteStore


def open_store(location: str, create: bool = True) -> Store:
    """Open the store at ``location``: a file path (SQLite) or ``postgresql://…``; with ``create`` False it must be
    a kabar store already."""
    if location.startswith(("postgresql://", "postgres://")):
        raise NotImplementedError("PostgreSQL store is not available yet; use an SQLite file path")
    return SQLiteStore(location, create)


__all__ = ["SQLiteStore", "Store", "StoreError", "StoryFilter", "open_store"]
