"""SQLite company databases: their files, and the copies made of them (backups, restores, snapshots).

A backup is written with SQLite's online backup API and switched to `journal_mode=DELETE`, so it is one
self-contained file; a database made from a backup is put back in WAL mode, as every company database is.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from subscription.storage.base import Inspect, ProvisioningError, build_alias, fsync_dir, fsync_file

SIDE_FILES = ("-wal", "-shm")


def link_into_place(building: Path, final: Path, slug: str) -> None:
    """Give a finished database its real name. link() refuses an existing target, so two racing makers
    cannot overwrite each other (nor a database made meanwhile). Raises ProvisioningError then."""
    try:
        os.link(building, final)
    except FileExistsError:
        raise ProvisioningError(
            _("The database of “%(slug)s” already exists; nothing was changed.") % {"slug": slug}
        ) from None


def sqlite_files(path: Path) -> list[Path]:
    """A database file and its write-ahead log and shared-memory files."""
    return [Path(f"{path}{suffix}") for suffix in ("", *SIDE_FILES)]


def remove_sqlite(path: Path) -> None:
    for file in sqlite_files(path):
        file.unlink(missing_ok=True)


def _open(path: Path) -> sqlite3.Connection:
    # mode=rw: a missing file is an error, never a new empty database.
    return sqlite3.connect(
        f"{path.as_uri()}?mode=rw", uri=True, timeout=settings.SQLITE_OPTIONS["timeout"], isolation_level=None
    )


class SqliteCopies:
    """Backups of company databases and databases made from them (mixed into SqliteStorage)."""

    def backup(self, slug: str, target: Path, *, archived: bool = False, inspect: Inspect | None = None) -> Any:
        """Copy a live database with SQLite's online backup API (it reads through the write-ahead log)."""
        source = self.archive_path(slug) if archived else self.path(slug)
        try:
            reading = _open(source)
            try:
                writing = sqlite3.connect(target, isolation_level=None)
                try:
                    reading.backup(writing)
                    # One self-contained file: no -wal beside the backup.
                    writing.execute("PRAGMA journal_mode=DELETE")
                finally:
                    writing.close()
            finally:
                reading.close()
        except sqlite3.Error as error:
            raise ProvisioningError(
                _("The database of “%(slug)s” at %(path)s could not be backed up: %(error)s.")
                % {"slug": slug, "path": source, "error": error}
            ) from error
        if inspect is None:
            return None
        # The copy is the consistent view: read it, not the live database that has moved on since.
        with build_alias(self.connection_settings(slug, database_name=f"{target.as_uri()}?mode=ro")) as alias:
            return inspect(alias)

    def server_name(self) -> str:
        return socket.gethostname()

    def _unpack(self, source: Path, building: Path) -> None:
        """Copy a backup file to `building` and put it back in WAL mode (backups are DELETE-mode files)."""
        try:
            shutil.copyfile(source, building)
            connection = sqlite3.connect(building, isolation_level=None)
            try:
                check = connection.execute("PRAGMA quick_check").fetchone()
                if check is None or check[0] != "ok":
                    raise sqlite3.DatabaseError(f"quick_check says {check[0] if check else 'nothing'}")
                connection.execute("PRAGMA journal_mode=WAL")
            finally:
                connection.close()
        except sqlite3.Error as error:
            remove_sqlite(building)
            raise ProvisioningError(
                _("The backup %(path)s is not a readable SQLite database (%(error)s); nothing was changed.")
                % {"path": source, "error": error}
            ) from error
        for side in sqlite_files(building)[1:]:
            side.unlink(missing_ok=True)  # closed cleanly: the log is empty
        fsync_file(building)

    def _restoring(self, name: str) -> Path:
        # Not `.tmp`: remove_leftovers (run by every creation) must not take a restore in progress.
        return self._dir() / f".{name}.{uuid.uuid4().hex}.restoring"

    def load_backup(self, slug: str, source: Path) -> None:
        final = self.path(slug)
        building = self._restoring(final.name)
        try:
            self._unpack(source, building)
            link_into_place(building, final, slug)
        finally:
            remove_sqlite(building)
        fsync_dir(final.parent)

    def replace_from_backup(self, slug: str, source: Path, *, keep_old: bool = False) -> str:
        live = self.path(slug)
        building = self._restoring(live.name)
        aside = self._restoring(f"{live.name}.replaced")
        kept = self._dir() / "replaced" / f"{live.stem}-{uuid.uuid4().hex[:8]}.db"
        try:
            self._unpack(source, building)
            # The old file goes aside with its -wal/-shm before the new file is linked in: a log left
            # beside the new file would be replayed onto it. Connections still open on the old file keep
            # reading it until they close (the company is read-only meanwhile).
            if keep_old and live.exists():
                kept.parent.mkdir(exist_ok=True)
                for moving, moved in zip(sqlite_files(live), sqlite_files(kept), strict=True):
                    if moving.exists():
                        os.replace(moving, moved)
            elif live.exists():
                os.replace(live, aside)
            for side in sqlite_files(live)[1:]:
                side.unlink(missing_ok=True)
            os.link(building, live)
            fsync_dir(live.parent)
        finally:
            remove_sqlite(building)
            remove_sqlite(aside)
        return str(kept) if kept.exists() else ""

    @contextmanager
    def scratch_from_backup(self, source: Path):
        scratch = self._dir() / "scratch"
        scratch.mkdir(exist_ok=True)
        path = scratch / f"scratch-{uuid.uuid4().hex}.db"
        try:
            self._unpack(source, path)
            with build_alias(self.connection_settings("scratch", database_name=str(path))) as alias:
                yield alias
        finally:
            remove_sqlite(path)

    @contextmanager
    def snapshot(self, slug: str):
        scratch = self._dir() / "scratch"
        scratch.mkdir(exist_ok=True)
        path = scratch / f"snapshot-{uuid.uuid4().hex}.db"
        try:
            self.backup(slug, path)
            with build_alias(self.connection_settings(slug, database_name=f"{path.as_uri()}?mode=ro")) as alias:
                yield alias
        finally:
            remove_sqlite(path)


# --- Moves between servers (subscription/scaleout/moves.py) ------------------------------------------------
FENCE_PREFIX = "fence__"
FENCE_MESSAGE = "read-only: this company database is being moved"  # storage.sqlite.FAULTS knows it


class SqliteMoves:
    """A fence that makes a database refuse every write, and the moved database kept aside (mixed in)."""

    def moved_path(self, slug: str) -> Path:
        return self._dir() / "moved" / self.path(slug).name

    def fence(self, slug: str) -> None:
        """Make every table refuse writes (triggers in the file itself: every connection, open or new, obeys).

        Waits for a writer in progress to commit (SQLite's busy timeout); its rows are then in what is copied.
        """
        connection = _open(self.path(slug))
        try:
            tables = [
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                )
            ]
            connection.execute("BEGIN IMMEDIATE")
            for table in tables:
                for operation in ("INSERT", "UPDATE", "DELETE"):
                    connection.execute(
                        f'CREATE TRIGGER IF NOT EXISTS "{FENCE_PREFIX}{table}__{operation.lower()}" '
                        f"BEFORE {operation} ON \"{table}\" BEGIN SELECT RAISE(ABORT, '{FENCE_MESSAGE}'); END"
                    )
            connection.execute("COMMIT")
        finally:
            connection.close()

    def unfence(self, slug: str) -> None:
        """Remove the fence (a database without one is fine)."""
        connection = _open(self.path(slug))
        try:
            connection.execute("BEGIN IMMEDIATE")
            fences = connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ? ESCAPE '\\'",
                [FENCE_PREFIX.replace("_", "\\_") + "%"],
            ).fetchall()
            for (name,) in fences:
                connection.execute(f'DROP TRIGGER "{name}"')
            connection.execute("COMMIT")
        finally:
            connection.close()

    def keep_moved(self, slug: str) -> str:
        """Take the (fenced) live database aside under moved/, replacing an older one kept there; return where."""
        live, kept = self.path(slug), self.moved_path(slug)
        if self._moved_already(live, kept):
            return str(kept)
        remove_sqlite(kept)
        for attempt in range(10):  # readers that began before the switch finish in moments
            try:
                self._checkpoint(slug, live)
                break
            except ProvisioningError:
                if attempt == 9:
                    raise
                time.sleep(0.3)
        self._move(slug, live, kept)
        return str(kept)

    def drop_moved(self, slug: str) -> None:
        remove_sqlite(self.moved_path(slug))
