"""Company databases as SQLite files in one folder: `tenant_<slug>.db`, archived ones under `archive/`.

A new database is a copy of a template migrated once per migration state; it is built under a
temporary name and `link()`ed into place, which refuses an existing target, so nothing is ever
overwritten and a crash never leaves a half-made database under the real name. A database moves
with its `-wal` and `-shm` files.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from subscription.aliases import validate_slug
from subscription.storage.base import (
    DatabaseFiles,
    ProvisioningError,
    TenantStorage,
    build_alias,
    connection_for,
    fsync_dir,
    fsync_file,
    migrate_alias,
)
from subscription.storage.sqlite_copies import (
    FENCE_MESSAGE,
    SIDE_FILES,
    SqliteCopies,
    SqliteMoves,
    _open,
    link_into_place,
    remove_sqlite,
    sqlite_files,
)

TENANT_INIT_COMMAND = "PRAGMA synchronous=NORMAL;"  # Django turns foreign keys on itself


class SqliteStorage(SqliteMoves, SqliteCopies, TenantStorage):
    engine = "sqlite"
    backup_suffix = ".db"
    # Reading a small SQLite file is mostly Python work under the GIL: threads measured no faster.
    probe_jobs = 1
    keeps_files = True

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder).resolve()

    # --- places ----------------------------------------------------------------------------------
    def _dir(self) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder

    def path(self, slug: str) -> Path:
        return self.folder / f"tenant_{validate_slug(slug)}.db"

    def archive_path(self, slug: str) -> Path:
        return self._dir() / "archive" / self.path(slug).name

    def location(self, slug: str, *, archived: bool = False) -> str:
        return str(self.archive_path(slug) if archived else self.path(slug))

    def connection_settings(self, slug: str, *, database_name: str | None = None) -> dict:
        name = database_name if database_name is not None else f"{self.path(slug).as_uri()}?mode=rw"
        # No `journal_mode=WAL` at every connect (it is kept in the file, set when the template is
        # built): that statement waits for a lock, before a request could shorten its waits.
        options = {**settings.SQLITE_OPTIONS, "init_command": TENANT_INIT_COMMAND}
        return {"ENGINE": "subscription.storage.sqlite_backend", "NAME": name, "OPTIONS": options}

    # --- the template ----------------------------------------------------------------------------
    @contextmanager
    def _lock(self, name: str):
        """An exclusive lock shared by every process using the folder."""
        with open(self._dir() / name, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _migrate_new_file(self, path: Path) -> None:
        """Create `path` and migrate it from scratch; the file is self-contained afterwards."""
        with build_alias(self.connection_settings("template", database_name=str(path))) as alias:
            with connection_for(alias).cursor() as cursor:
                cursor.execute("PRAGMA journal_mode=WAL")  # kept in the file, and in every copy of it
            migrate_alias(alias)
            with connection_for(alias).cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection_for(alias).close()
        for suffix in SIDE_FILES:
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def creation_lock(self):
        return self._lock(".create.lock")

    def remove_leftovers(self) -> list[str]:
        """Temporary files of builds that never finished (killed): every build holds the creation lock."""
        removed = []
        for leftover in sorted(self._dir().glob(".*.tmp*")):
            leftover.unlink(missing_ok=True)
            removed.append(leftover.name)
        return removed

    def template_path(self) -> Path:
        """The migrated template for the current migration state, built once (call with the creation lock held)."""
        from subscription.schema import migration_key

        template = self._dir() / f"_template_{migration_key()[:16]}.db"
        if template.exists():
            return template
        building = template.with_name(f".{template.name}.{uuid.uuid4().hex}.tmp")
        try:
            self._migrate_new_file(building)
            os.replace(building, template)
        finally:
            remove_sqlite(building)
        for stale in template.parent.glob("_template_*.db"):
            if stale != template:
                stale.unlink(missing_ok=True)
        return template

    # --- making and removing ---------------------------------------------------------------------
    def exists(self, slug: str) -> bool:
        return self.path(slug).exists()

    def create(self, slug: str, *, from_template: bool = True) -> None:
        """Build the database under a temporary name and link it into place (call with the creation lock held)."""
        final = self.path(slug)
        self._dir()
        if final.exists():
            raise ProvisioningError(
                _("The database of “%(slug)s” already exists; nothing was changed.") % {"slug": slug}
            )
        building = final.with_name(f".{final.name}.{uuid.uuid4().hex}.tmp")
        try:
            if from_template:
                shutil.copyfile(self.template_path(), building)
            else:
                self._migrate_new_file(building)
            fsync_file(building)
            link_into_place(building, final, slug)
        finally:
            remove_sqlite(building)

    def drop(self, slug: str) -> None:
        remove_sqlite(self.path(slug))

    def drop_archived(self, slug: str) -> None:
        remove_sqlite(self.archive_path(slug))

    # --- archiving -------------------------------------------------------------------------------
    def _checkpoint(self, slug: str, path: Path) -> None:
        """Fold the write-ahead log into the database file and empty it, so the file alone holds every write."""
        try:
            connection = _open(path)
            try:
                busy, _log, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                connection.close()
        except sqlite3.Error as error:
            raise ProvisioningError(
                _("The database of “%(slug)s” at %(path)s could not be opened (%(error)s); nothing was changed.")
                % {"slug": slug, "path": path, "error": error}
            ) from error
        if busy:
            raise ProvisioningError(
                _(
                    "The database of “%(slug)s” is in use, so its write-ahead log could not be emptied; nothing was "
                    "changed. Try again in a minute."
                )
                % {"slug": slug}
            )

    def _move(self, slug: str, source: Path, target: Path) -> None:
        """Move a database and its -wal/-shm files to `target`, never overwriting anything there."""
        if not source.exists():
            raise ProvisioningError(
                _("There is no database of “%(slug)s” at %(path)s; nothing was changed.")
                % {"slug": slug, "path": source}
            )
        for existing in sqlite_files(target):
            if existing.exists():
                raise ProvisioningError(
                    _(
                        "%(path)s already exists, so the database of “%(slug)s” was not moved there; nothing was "
                        "changed. Move that file away (after checking what it is) and try again."
                    )
                    % {"path": existing, "slug": slug}
                )
        target.parent.mkdir(parents=True, exist_ok=True)
        # link() + unlink() is a move that refuses an existing target: at every moment each file is
        # whole under one name or both, never half-copied. The database file goes first; its log was
        # emptied by the checkpoint, so the side files carry no writes of their own.
        for moving, moved in zip(sqlite_files(source), sqlite_files(target), strict=True):
            if moving.exists():
                os.link(moving, moved)
                moving.unlink()
        fsync_dir(target.parent)
        fsync_dir(source.parent)

    def _moved_already(self, source: Path, target: Path) -> bool:
        """A move that a killed step finished: the database is at `target` only (empty side files may stay)."""
        if source.exists() or not target.exists():
            return False
        for side in sqlite_files(source)[1:]:
            side.unlink(missing_ok=True)  # emptied by the checkpoint before the move
        return True

    def archive(self, slug: str) -> None:
        live, archived = self.path(slug), self.archive_path(slug)
        if self._moved_already(live, archived):
            return
        if live.exists():
            self._checkpoint(slug, live)
        self._move(slug, live, archived)

    def restore(self, slug: str) -> None:
        live, archived = self.path(slug), self.archive_path(slug)
        if self._moved_already(archived, live):
            return
        self._move(slug, archived, live)

    # --- checks -----------------------------------------------------------------------------------
    def files(self, slug: str) -> DatabaseFiles:
        path = self.path(slug)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return DatabaseFiles(exists=False)
        wal = Path(f"{path}-wal")
        return DatabaseFiles(exists=True, size=size, wal_size=wal.stat().st_size if wal.exists() else 0)

    def size(self, slug: str) -> int | None:
        return self.files(slug).total_size

    def integrity_check(self, alias: str) -> tuple[bool, str]:
        with connection_for(alias).cursor() as cursor:
            cursor.execute("PRAGMA quick_check")
            lines = [str(row[0]) for row in cursor.fetchall()]
        return lines == ["ok"], "\n".join(lines[:20])

    def total_size(self) -> int:
        return sum(path.stat().st_size for path in self.folder.glob("tenant_*.db*") if path.is_file())

    def disk_usage(self) -> tuple[int, int] | None:
        try:
            usage = shutil.disk_usage(self.folder)
        except FileNotFoundError:
            return None
        return usage.total, usage.free


def local_storage() -> SqliteStorage:
    """The SQLite folder of the settings (TENANT_DB_DIR), whatever engine companies are on now."""
    from subscription.storage import _storage

    return _storage("", str(settings.TENANT_DB_DIR))


def tenant_database_path(slug: str) -> Path:
    """Where a company's SQLite database lives in TENANT_DB_DIR."""
    return local_storage().path(slug)


def tenant_archive_path(slug: str) -> Path:
    """Where an archived company's SQLite database lives: TENANT_DB_DIR/archive/."""
    return local_storage().archive_path(slug)


# --- Faults (subscription.faults) -----------------------------------------------------------------------
FAULTS = {
    "database is locked": "locked",
    "database table is locked": "locked",
    "unable to open database": "missing",
    "file is not a database": "corrupt",
    "database disk image is malformed": "corrupt",
    "disk i/o error": "corrupt",
    FENCE_MESSAGE: "moving",
}


def limit_lock_waits(connection, seconds: float) -> None:
    """Nothing to do: company connections open with the short wait already (sqlite_backend)."""


def transaction_lock(connection, name: str) -> None:
    """Nothing to take: company transactions begin IMMEDIATE, so writers already run one at a time."""


def unavailable_reason(error: Exception) -> str | None:
    message = str(error).lower()
    return next((reason for text, reason in FAULTS.items() if text in message), None)


def probe(connection) -> None:
    """Open the database and read its header: a missing, corrupt or locked file fails here, at once."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA schema_version")
