"""PostgreSQL company databases: backups (`pg_dump -Fc`), databases made from them (`pg_restore`), snapshots.

A backup is taken inside a REPEATABLE READ transaction whose snapshot `pg_dump --snapshot` shares, so
the checksums read in that transaction describe exactly what the dump holds. A database made from a
backup is restored under a temporary name and renamed into place.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from subscription.storage.base import Inspect, ProvisioningError, build_alias, connection_for


def client_tool(name: str) -> str:
    """The path of a PostgreSQL client program; ProvisioningError (nothing changed) when it is not installed."""
    found = shutil.which(name)
    if found is None:
        raise ProvisioningError(
            _(
                "%(tool)s is not on PATH, so nothing was done. Install the PostgreSQL client tools "
                "(e.g. apt-get install postgresql-client) and try again."
            )
            % {"tool": name}
        )
    return found


def run_client(tool: str, config: dict, arguments: list[str], what: str) -> None:
    """Run pg_dump or pg_restore against the server of `config`; ProvisioningError with its message on failure."""
    command = [client_tool(tool), "--no-password"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if config.get(key):
            command += [option, str(config[key])]
    environment = {**os.environ, "PGPASSWORD": config["PASSWORD"]} if config.get("PASSWORD") else None
    result = subprocess.run([*command, *arguments], capture_output=True, text=True, env=environment, check=False)
    if result.returncode != 0:
        reason = " ".join(result.stderr.split())[:600] or f"exit status {result.returncode}"
        raise ProvisioningError(_("%(what)s failed: %(reason)s") % {"what": what, "reason": reason})


class PostgresCopies:
    """Backups of company databases and databases made from them (mixed into PostgresStorage)."""

    def _restoring_name(self, role: str) -> str:
        # Named like the server's company databases (their prefix), never `tenant__build_`: remove_leftovers,
        # run by every creation, must not drop a restore in progress.
        return f"{self.name('restore')}__{uuid.uuid4().hex[:16]}_{role}"

    def backup(self, slug: str, target: Path, *, archived: bool = False, inspect: Inspect | None = None) -> Any:
        client_tool("pg_dump")
        database = self.archived_name(slug) if archived else self.name(slug)
        config = self.connection_settings(slug, database_name=database)
        with build_alias(config) as alias:
            with transaction.atomic(using=alias):
                with connection_for(alias).cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    cursor.execute("SELECT pg_export_snapshot()")
                    (snapshot,) = cursor.fetchone()
                run_client(
                    "pg_dump",
                    config,
                    ["--format=custom", f"--snapshot={snapshot}", f"--file={target}", database],
                    _("pg_dump of the database of “%(slug)s”") % {"slug": slug},
                )
                return inspect(alias) if inspect is not None else None

    def server_name(self) -> str:
        config = self.connection_settings("server")
        return f"{config.get('HOST') or 'localhost'}:{config.get('PORT') or 5432}"

    def _restore_into(self, name: str, source: Path) -> None:
        """Create database `name` and restore the dump into it; drop it again if that fails."""
        client_tool("pg_restore")
        self.execute(f'CREATE DATABASE "{name}"')
        try:
            run_client(
                "pg_restore",
                self.connection_settings("server", database_name=name),
                [
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={name}",
                    str(source),
                ],
                _("pg_restore of %(path)s") % {"path": source},
            )
        except ProvisioningError:
            self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            raise

    def load_backup(self, slug: str, source: Path) -> None:
        name = self.name(slug)
        if self._database_exists(name):
            raise ProvisioningError(
                _("The database of “%(slug)s” already exists; nothing was changed.") % {"slug": slug}
            )
        building = self._restoring_name("new")
        self._restore_into(building, source)
        try:
            self.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
        except DatabaseError as error:
            self.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
            raise ProvisioningError(
                _("The database of “%(slug)s” could not be put in place (%(error)s); nothing was changed.")
                % {"slug": slug, "error": " ".join(str(error).split())}
            ) from error

    def replace_from_backup(self, slug: str, source: Path, *, keep_old: bool = False) -> str:
        name = self.name(slug)
        building = self._restoring_name("new")
        aside = self._restoring_name("old")
        self._restore_into(building, source)
        try:
            if self._database_exists(name):
                self._rename_now(name, aside)
            self.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
        except (DatabaseError, ProvisioningError):
            if not self._database_exists(name) and self._database_exists(aside):
                self.execute(f'ALTER DATABASE "{aside}" RENAME TO "{name}"')  # put the old one back
            self.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
            raise
        if keep_old and self._database_exists(aside):
            return _("PostgreSQL database %(name)s") % {"name": aside}
        self.execute(f'DROP DATABASE IF EXISTS "{aside}" WITH (FORCE)')
        return ""

    def _rename_now(self, old: str, new: str) -> None:
        """Rename a database that sessions may still use: they are ended first (the company is read-only)."""
        for attempt in range(10):
            self.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [old],
            )
            try:
                self.execute(f'ALTER DATABASE "{old}" RENAME TO "{new}"')
                return
            except DatabaseError:
                if attempt == 9:
                    raise
                time.sleep(0.2)

    @contextmanager
    def scratch_from_backup(self, source: Path):
        name = self._restoring_name("scratch")
        self._restore_into(name, source)
        try:
            with build_alias(self.connection_settings("scratch", database_name=name)) as alias:
                yield alias
        finally:
            self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    @contextmanager
    def snapshot(self, slug: str):
        with build_alias(self.connection_settings(slug)) as alias:
            with transaction.atomic(using=alias):
                with connection_for(alias).cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                yield alias


# --- Moves between servers (subscription/scaleout/moves.py) ------------------------------------------------
READ_ONLY_SESSIONS = "default_transaction_read_only"


class PostgresMoves:
    """A fence that makes a database refuse every write, and the moved database kept aside (mixed in)."""

    def moved_name(self, slug: str) -> str:
        return self.archived_name(slug).replace("archived__", "moved__", 1)

    def fence(self, slug: str) -> None:
        """Every new session of the database is read-only, and the open ones are ended (their transactions
        roll back): from now on nothing can write to it."""
        name = self.name(slug)
        self.execute(f'ALTER DATABASE "{name}" SET {READ_ONLY_SESSIONS} = on')
        self.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )

    def unfence(self, slug: str) -> None:
        self.execute(f'ALTER DATABASE "{self.name(slug)}" RESET {READ_ONLY_SESSIONS}')

    def keep_moved(self, slug: str) -> str:
        """Rename the (fenced) live database to moved__…, replacing an older one of that name; return the name."""
        kept = self.moved_name(slug)
        if not self._database_exists(self.name(slug)) and self._database_exists(kept):
            return kept  # a killed step renamed it already
        self.execute(f'DROP DATABASE IF EXISTS "{kept}" WITH (FORCE)')
        self._rename(slug, self.name(slug), kept)
        return kept

    def drop_moved(self, slug: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{self.moved_name(slug)}" WITH (FORCE)')
