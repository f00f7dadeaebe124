"""The life of a company's database: active → suspended → archived → deleted (docs/lifecycle.md).

Each step is reversible until the last: *resume* undoes *suspend*, *restore* undoes *archive*.
*Delete* removes the archived database after a final backup; the Company row stays, with its
lifecycle, for the audit trail. A SQLite database moves with its `-wal` and `-shm` files; a
PostgreSQL database is renamed. Part of the tenancy core, with provisioning.py.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
import shutil
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from subscription.models import Company, TenantSchemaState
from subscription.provisioning import (
    SQLITE_SIDE_FILES,
    ProvisioningError,
    _pg_execute,
    _pg_exists,
    _pg_name,
    _remove_sqlite,
    _tenant_dir,
)
from subscription.tenancy import (
    forget_alias,
    tenant_alias,
    tenant_database_path,
    tenant_database_settings,
    tenants_on_sqlite,
    validate_slug,
)

logger = logging.getLogger(__name__)

Lifecycle = Company.Lifecycle
PG_MAX_NAME = 63  # PostgreSQL cuts longer identifiers, which could make two names collide

# action: (the state it starts from, the state it leads to)
TRANSITIONS = {
    "suspend": (Lifecycle.ACTIVE, Lifecycle.SUSPENDED),
    "resume": (Lifecycle.SUSPENDED, Lifecycle.ACTIVE),
    "archive": (Lifecycle.SUSPENDED, Lifecycle.ARCHIVED),
    "restore": (Lifecycle.ARCHIVED, Lifecycle.SUSPENDED),
    "delete": (Lifecycle.ARCHIVED, Lifecycle.DELETED),
}
ACTION_LABELS = {
    "suspend": gettext_lazy("Suspend"),
    "resume": gettext_lazy("Resume"),
    "archive": gettext_lazy("Archive"),
    "restore": gettext_lazy("Restore"),
    "delete": gettext_lazy("Delete"),
}
STATE_WORDS = {
    Lifecycle.ACTIVE: gettext_lazy("active"),
    Lifecycle.SUSPENDED: gettext_lazy("suspended"),
    Lifecycle.ARCHIVED: gettext_lazy("archived"),
    Lifecycle.DELETED: gettext_lazy("deleted"),
}
REFUSALS = {
    "suspend": gettext_lazy("Only an active company can be suspended; “%(company)s” is %(state)s."),
    "resume": gettext_lazy("Only a suspended company can be resumed; “%(company)s” is %(state)s."),
    "archive": gettext_lazy("Only a suspended company can be archived; “%(company)s” is %(state)s."),
    "restore": gettext_lazy("Only an archived company can be restored; “%(company)s” is %(state)s."),
    "delete": gettext_lazy("Only an archived company can be deleted; “%(company)s” is %(state)s."),
}
# The way along the states, from each state to the next one in either direction.
ORDER = [Lifecycle.ACTIVE, Lifecycle.SUSPENDED, Lifecycle.ARCHIVED, Lifecycle.DELETED]
FORWARD = {Lifecycle.ACTIVE: "suspend", Lifecycle.SUSPENDED: "archive", Lifecycle.ARCHIVED: "delete"}
BACKWARD = {Lifecycle.ARCHIVED: "restore", Lifecycle.SUSPENDED: "resume"}


# --- Where databases go --------------------------------------------------------------------------
def tenant_archive_path(slug: str) -> Path:
    """Where an archived company's SQLite database lives: TENANT_DB_DIR/archive/."""
    return _tenant_dir() / "archive" / tenant_database_path(slug).name


def tenant_backup_dir() -> Path:
    """The folder of the backups: TENANT_DB_DIR/backups/."""
    return _tenant_dir() / "backups"


def _pg_archived_name(slug: str) -> str:
    name = f"archived__{_pg_name(slug)}"
    if len(name) > PG_MAX_NAME:
        digest = hashlib.sha256(name.encode()).hexdigest()[:12]
        name = f"{name[: PG_MAX_NAME - len(digest) - 1]}_{digest}"
    return name


def database_location(company: Company) -> str:
    """Where the company's database is now (a file path, or a PostgreSQL database name); '' once deleted."""
    if company.lifecycle == Lifecycle.DELETED:
        return ""
    archived = company.lifecycle == Lifecycle.ARCHIVED
    if tenants_on_sqlite():
        return str(tenant_archive_path(company.slug) if archived else tenant_database_path(company.slug))
    name = _pg_archived_name(company.slug) if archived else _pg_name(company.slug)
    return _("PostgreSQL database %(name)s") % {"name": name}


# --- The state machine ---------------------------------------------------------------------------
def allowed_actions(company: Company) -> list[str]:
    """The lifecycle actions that `company`'s present state allows."""
    return [action for action, (start, _end) in TRANSITIONS.items() if company.lifecycle == start]


def _steps(start: str, goal: str) -> list[str]:
    """The actions that lead from `start` to `goal` (neither of them deleted)."""
    steps, state = [], start
    while state != goal:
        forward = ORDER.index(goal) > ORDER.index(state)
        action = (FORWARD if forward else BACKWARD)[state]
        steps.append(action)
        state = TRANSITIONS[action][1]
    return steps


def lifecycle_refusal(company: Company, action: str) -> str:
    """Why `action` cannot be done to `company` now and what to do instead; '' when it can."""
    start, end = TRANSITIONS[action]
    state = company.lifecycle
    if state == start:
        return ""
    message = REFUSALS[action] % {"company": company.name, "state": STATE_WORDS[state]}
    direction = 1 if ORDER.index(end) > ORDER.index(start) else -1
    if state == Lifecycle.DELETED:
        hint = _("A deleted company cannot come back; its final backup is %(path)s.") % {
            "path": company.final_backup or "—"
        }
    elif (ORDER.index(state) - ORDER.index(end)) * direction >= 0:
        # Already where the action leads, or beyond it: there is nothing to do.
        hint = _("Nothing was changed.")
    else:
        steps = " → ".join(str(ACTION_LABELS[step]) for step in _steps(state, start))
        hint = _("Do this first: %(steps)s.") % {"steps": steps}
    return f"{message} {hint}"


def _ensure_allowed(company: Company, action: str) -> None:
    refusal = lifecycle_refusal(company, action)
    if refusal:
        raise ValidationError(refusal, code="wrong_state")


def _who(by: AbstractBaseUser | None) -> str:
    return by.get_username() if by is not None else "manage.py"


def _transition(
    company: Company,
    action: str,
    *,
    by: AbstractBaseUser | None,
    work: Callable[[Company], None] | None = None,
) -> Company:
    """Check the state, do the database work, record the new state (the company row is locked throughout)."""
    with transaction.atomic():
        locked = Company.objects.select_for_update().get(pk=company.pk)
        _ensure_allowed(locked, action)
        if work is not None:
            work(locked)
        locked.lifecycle = TRANSITIONS[action][1]
        locked.lifecycle_changed_at = timezone.now()
        locked.save(update_fields=["lifecycle", "lifecycle_changed_at", "final_backup"])
    for field in ("lifecycle", "lifecycle_changed_at", "final_backup"):
        setattr(company, field, getattr(locked, field))
    logger.info(
        "company %s: %s by %s, now %s%s",
        company.slug,
        action,
        _who(by),
        company.lifecycle,
        f" ({database_location(company)})" if company.lifecycle != Lifecycle.DELETED else "",
    )
    return company


# --- SQLite files ----------------------------------------------------------------------------------
def _sqlite_files(path: Path) -> list[Path]:
    return [Path(f"{path}{suffix}") for suffix in ("", *SQLITE_SIDE_FILES)]


def _sqlite_open(path: Path) -> sqlite3.Connection:
    # mode=rw: a missing file is an error, never a new empty database.
    return sqlite3.connect(
        f"{path.as_uri()}?mode=rw", uri=True, timeout=settings.SQLITE_OPTIONS["timeout"], isolation_level=None
    )


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _sqlite_checkpoint(slug: str, path: Path) -> None:
    """Fold the write-ahead log into the database file and empty it, so the file alone holds every write."""
    try:
        connection = _sqlite_open(path)
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


def _sqlite_move(slug: str, source: Path, target: Path) -> None:
    """Move a database and its -wal/-shm files to `target`, never overwriting anything there."""
    if not source.exists():
        raise ProvisioningError(
            _("There is no database of “%(slug)s” at %(path)s; nothing was changed.") % {"slug": slug, "path": source}
        )
    for existing in _sqlite_files(target):
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
    for moving, moved in zip(_sqlite_files(source), _sqlite_files(target), strict=True):
        if moving.exists():
            os.link(moving, moved)
            moving.unlink()
    _fsync_dir(target.parent)
    _fsync_dir(source.parent)


def _sqlite_backup(slug: str, source: Path, target: Path) -> None:
    """Copy a live database with SQLite's online backup API (it reads through the write-ahead log)."""
    try:
        reading = _sqlite_open(source)
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


# --- PostgreSQL databases -------------------------------------------------------------------------
def _pg_rename(slug: str, old: str, new: str) -> None:
    if not _pg_exists(slug, old):
        raise ProvisioningError(
            _("There is no PostgreSQL database %(name)s of “%(slug)s”; nothing was changed.")
            % {"name": old, "slug": slug}
        )
    if _pg_exists(slug, new):
        raise ProvisioningError(
            _(
                "The PostgreSQL database %(name)s already exists, so “%(slug)s” was not renamed to it; nothing "
                "was changed. Drop or rename that database (after checking what it is) and try again."
            )
            % {"name": new, "slug": slug}
        )
    # The company is suspended, so only stray sessions (a worker, a shell) can still be connected.
    _pg_execute(
        slug,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        [old],
    )
    for attempt in range(10):
        try:
            _pg_execute(slug, f'ALTER DATABASE "{old}" RENAME TO "{new}"')
            return
        except DatabaseError as error:  # a terminated session may take a moment to go
            if attempt == 9:
                raise ProvisioningError(
                    _(
                        "The PostgreSQL database %(name)s could not be renamed (%(error)s); nothing was changed. Try again."
                    )
                    % {"name": old, "error": " ".join(str(error).split())}
                ) from error
            time.sleep(0.2)


def _pg_dump(slug: str, database_name: str, target: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise ProvisioningError(
            _(
                "pg_dump is not on PATH, so no backup of “%(slug)s” can be made; nothing was changed. Install the "
                "PostgreSQL client tools (e.g. apt-get install postgresql-client) and try again."
            )
            % {"slug": slug}
        )
    config = tenant_database_settings(slug)
    command = [pg_dump, "--format=custom", "--no-password", f"--file={target}"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if config.get(key):
            command += [option, str(config[key])]
    environment = {**os.environ, "PGPASSWORD": config["PASSWORD"]} if config.get("PASSWORD") else None
    result = subprocess.run([*command, database_name], capture_output=True, text=True, env=environment, check=False)
    if result.returncode != 0:
        reason = " ".join(result.stderr.split()) or f"exit status {result.returncode}"
        raise ProvisioningError(
            _("pg_dump could not back up the database of “%(slug)s”: %(reason)s") % {"slug": slug, "reason": reason}
        )


# --- The services --------------------------------------------------------------------------------
def company_suspend(*, company: Company, by: AbstractBaseUser | None = None) -> Company:
    """Refuse the company's users (a superuser may still enter read-only). Raises ValidationError unless active."""
    return _transition(company, "suspend", by=by)


def company_resume(*, company: Company, by: AbstractBaseUser | None = None) -> Company:
    """Let a suspended company's users in again. Raises ValidationError unless suspended."""
    return _transition(company, "resume", by=by)


def _archive(company: Company) -> None:
    slug = validate_slug(company.slug)
    forget_alias(tenant_alias(slug))
    if tenants_on_sqlite():
        live = tenant_database_path(slug)
        if live.exists():
            _sqlite_checkpoint(slug, live)
        _sqlite_move(slug, live, tenant_archive_path(slug))
    else:
        _pg_rename(slug, _pg_name(slug), _pg_archived_name(slug))


def company_archive(*, company: Company, by: AbstractBaseUser | None = None) -> Company:
    """Take a suspended company's database out of service (SQLite: into TENANT_DB_DIR/archive/).

    Raises ValidationError unless suspended, ProvisioningError if the database cannot be moved.
    """
    return _transition(company, "archive", by=by, work=_archive)


def _restore(company: Company) -> None:
    slug = validate_slug(company.slug)
    forget_alias(tenant_alias(slug))
    if tenants_on_sqlite():
        _sqlite_move(slug, tenant_archive_path(slug), tenant_database_path(slug))
    else:
        _pg_rename(slug, _pg_archived_name(slug), _pg_name(slug))


def company_restore(*, company: Company, by: AbstractBaseUser | None = None) -> Company:
    """Put an archived company's database back in service; the company comes back suspended.

    Raises ValidationError unless archived, ProvisioningError if the database cannot be moved back.
    """
    return _transition(company, "restore", by=by, work=_restore)


def company_delete(*, company: Company, by: AbstractBaseUser | None = None) -> Company:
    """Back up an archived company's database to TENANT_DB_DIR/backups/, then remove it; the row stays, deleted.

    Raises ValidationError unless archived, ProvisioningError if the backup cannot be made.
    """
    current = Company.objects.get(pk=company.pk)
    _ensure_allowed(current, "delete")
    # Outside the master transaction below: a backup may take a while, and needs no lock.
    backup = tenant_database_backup(company=current, by=by)

    def remove(locked: Company) -> None:
        slug = validate_slug(locked.slug)
        forget_alias(tenant_alias(slug))
        if tenants_on_sqlite():
            _remove_sqlite(tenant_archive_path(slug))
        else:
            _pg_execute(slug, f'DROP DATABASE IF EXISTS "{_pg_archived_name(slug)}" WITH (FORCE)')
        TenantSchemaState.objects.filter(company=locked).delete()
        locked.final_backup = str(backup)

    return _transition(company, "delete", by=by, work=remove)


def tenant_database_backup(*, company: Company, by: AbstractBaseUser | None = None) -> Path:
    """Write a consistent copy of the company's database (live or archived) to TENANT_DB_DIR/backups/.

    Returns its path. Raises ValidationError for a deleted company, ProvisioningError if no copy can be made.
    """
    slug = validate_slug(company.slug)
    if company.lifecycle == Lifecycle.DELETED:
        raise ValidationError(
            _("“%(company)s” is deleted: it has no database to back up. Its final backup is %(path)s.")
            % {"company": company.name, "path": company.final_backup or "—"},
            code="wrong_state",
        )
    archived = company.lifecycle == Lifecycle.ARCHIVED
    folder = tenant_backup_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = ".db" if tenants_on_sqlite() else ".dump"
    building = folder / f".{slug}-{uuid.uuid4().hex}{suffix}.tmp"
    try:
        if tenants_on_sqlite():
            source = tenant_archive_path(slug) if archived else tenant_database_path(slug)
            _sqlite_backup(slug, source, building)
        else:
            _pg_dump(slug, _pg_archived_name(slug) if archived else _pg_name(slug), building)
        with open(building, "rb") as handle:
            os.fsync(handle.fileno())
        target = _link_unused_name(building, folder, f"{slug}-{stamp}", suffix)
    finally:
        building.unlink(missing_ok=True)
    _fsync_dir(folder)
    logger.info("company %s: backed up by %s to %s (%d bytes)", slug, _who(by), target, target.stat().st_size)
    return target


def _link_unused_name(building: Path, folder: Path, stem: str, suffix: str) -> Path:
    """Give the finished backup its name; a second backup in the same second gets `-2`, `-3`, ..."""
    for number in range(1, 1000):
        target = folder / f"{stem}{'' if number == 1 else f'-{number}'}{suffix}"
        try:
            os.link(building, target)
            return target
        except FileExistsError:
            continue
    raise ProvisioningError(_("Too many backups named %(name)s; nothing was written.") % {"name": stem})
