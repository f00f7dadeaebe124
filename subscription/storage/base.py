"""The interface of a company-database store, and what both engines share.

A store knows where company databases live and how to make, move, copy and remove them. Nothing
outside `subscription.storage` asks which engine a company database is on.
"""

from __future__ import annotations

import os
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connections

from subscription.aliases import acquire, close_connection, forget_alias, release

Inspect = Callable[[str], Any]  # reads a database through a connection alias (backup checksums)


class ProvisioningError(Exception):
    """A company database could not be made, moved or copied; the message says why and what to do."""


@dataclass
class DatabaseFiles:
    """A company's database files as found on disk; None where the engine keeps no files of ours."""

    exists: bool | None
    size: int | None = None
    wal_size: int | None = None

    @property
    def total_size(self) -> int | None:
        return (self.size or 0) + (self.wal_size or 0) if self.exists else None


class TenantStorage(ABC):
    """Where company databases live (a folder of SQLite files, or a PostgreSQL server)."""

    engine: str = ""
    backup_suffix: str = ""
    # How many companies to read at once (monitoring, figures): threads help only where waiting dominates.
    probe_jobs: int = 1
    keeps_files: bool = False  # databases are files on this machine (sizes read from disk)

    @abstractmethod
    def connection_settings(self, slug: str, *, database_name: str | None = None) -> dict:
        """Connection settings of a company's database (`database_name` overrides the name: builds)."""

    def direct_settings(self, slug: str) -> dict:
        """Connection settings to the database itself, past any connection pooler (moves, builds)."""
        return self.connection_settings(slug)

    @abstractmethod
    def exists(self, slug: str) -> bool:
        """Whether the company's live database exists."""

    @abstractmethod
    def create(self, slug: str, *, from_template: bool = True) -> None:
        """Make the company's database, never overwriting one. Raises ProvisioningError if it exists."""

    @abstractmethod
    def creation_lock(self) -> AbstractContextManager[None]:
        """Held while a database (or the template) is built: one builder at a time, across processes."""

    @abstractmethod
    def remove_leftovers(self) -> list[str]:
        """Remove what killed builds left (temporary files or databases); call with the creation lock held."""

    @abstractmethod
    def drop(self, slug: str) -> None:
        """Remove the company's live database for good (a missing one is fine)."""

    @abstractmethod
    def archive(self, slug: str) -> None:
        """Take the live database out of service under its archived name; done already is fine.

        Raises ProvisioningError (nothing changed) if there is neither, or both.
        """

    @abstractmethod
    def restore(self, slug: str) -> None:
        """Put the archived database back under its live name; done already is fine. Raises ProvisioningError."""

    @abstractmethod
    def drop_archived(self, slug: str) -> None:
        """Remove the archived database for good."""

    @abstractmethod
    def location(self, slug: str, *, archived: bool = False) -> str:
        """Where the database is, in words an operator can act on (a path, a database name)."""

    @abstractmethod
    def backup(self, slug: str, target: Path, *, archived: bool = False, inspect: Inspect | None = None) -> Any:
        """Write a consistent copy of the (live or archived) database to `target`. Raises ProvisioningError.

        `inspect(alias)` is called on a connection that sees exactly what the copy holds; its result is returned.
        """

    @abstractmethod
    def server_name(self) -> str:
        """The machine or database server the company databases are on, for the backup catalogue."""

    @abstractmethod
    def load_backup(self, slug: str, source: Path) -> None:
        """Make the company's live database from a backup file, never overwriting one. Raises ProvisioningError."""

    @abstractmethod
    def replace_from_backup(self, slug: str, source: Path, *, keep_old: bool = False) -> str:
        """Replace the company's live database by the backup's contents.

        The database is built beside the live one first, so a backup that cannot be read changes nothing.
        The old database is removed, or with `keep_old` kept aside: returns where ('' when removed).
        Raises ProvisioningError.
        """

    @abstractmethod
    def scratch_from_backup(self, source: Path) -> AbstractContextManager[str]:
        """A throw-away database restored from a backup file, as a connection alias for the block."""

    @abstractmethod
    def snapshot(self, slug: str) -> AbstractContextManager[str]:
        """A consistent, read-only view of the company's live database, as a connection alias for the block."""

    def refill_spares(self, count: int) -> int:
        """Keep `count` ready databases to make companies from at once (PostgreSQL); returns how many were made."""
        return 0

    # --- moves between servers (subscription/scaleout/moves.py) ----------------------------------
    @abstractmethod
    def fence(self, slug: str) -> None:
        """Make the live database refuse every write, from every connection, open or new."""

    @abstractmethod
    def unfence(self, slug: str) -> None:
        """Undo fence() (a database without a fence is fine)."""

    @abstractmethod
    def keep_moved(self, slug: str) -> str:
        """Take the moved (fenced) live database aside under a name of its own; return where. Repeatable."""

    @abstractmethod
    def drop_moved(self, slug: str) -> None:
        """Remove the database keep_moved() put aside (a missing one is fine)."""

    def files(self, slug: str) -> DatabaseFiles:
        """The database's files on disk (SQLite); `exists=None` where there are none to look at."""
        return DatabaseFiles(exists=None)

    @abstractmethod
    def size(self, slug: str) -> int | None:
        """Bytes the live database takes, or None if unknown."""

    @abstractmethod
    def total_size(self) -> int:
        """Bytes every company database in service on this server takes."""

    @abstractmethod
    def integrity_check(self, alias: str) -> tuple[bool, str]:
        """Check the database behind `alias`: (passed, what the check said)."""

    def disk_usage(self) -> tuple[int, int] | None:
        """(total, free) bytes where the databases are, if this machine holds them."""
        return None


@contextmanager
def build_alias(config: dict) -> Iterator[str]:
    """A temporary connection alias to a database under construction."""
    alias = f"tenant__build_{uuid.uuid4().hex[:12]}"
    acquire(alias, config)
    try:
        yield alias
    finally:
        close_connection(alias)
        release(alias)
        forget_alias(alias)


def migrate_alias(alias: str) -> None:
    """Run every migration on a database under construction, then close its connection."""
    from subscription.schema import migrate_database

    migrate_database(alias)
    close_connection(alias)


def connection_for(alias: str):
    return connections[alias]


def fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
