"""Migrating one company's database; importable in a fresh worker process before Django is set up.

A worker migrates many companies, so it reads the migration graph once and keeps it, and keeps the
project state "before the plan" for each set of applied migrations it meets (most companies share
one): a company costs one query when it is up to date, and only its own schema changes otherwise.
Options that change what `migrate` does (an app label or target, --fake, --plan, --check) go
through Django's `migrate` command unchanged.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass


@dataclass
class Outcome:
    slug: str
    ok: bool
    seconds: float
    output: str = ""
    error: str = ""
    up_to_date: bool = False
    skipped: bool = False
    applied: int = 0


def start_worker(tenant_db_dir: str, tenant_database_url: str) -> None:
    """Set up Django in a worker process, with the parent's tenant location."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings

    settings.TENANT_DB_DIR = tenant_db_dir
    settings.TENANT_DATABASE_URL = tenant_database_url


class _Cache:
    """What this process has learnt about the migrations: the graph, and states before plans."""

    loader = None
    states: dict = {}

    @classmethod
    def graph_loader(cls):
        from django.db.migrations.loader import MigrationLoader

        if cls.loader is None:
            cls.loader = MigrationLoader(None, ignore_no_migrations=True)
        return cls.loader


def _executor(connection):
    """A migration executor for `connection` that reuses this process's graph (one query: what is applied)."""
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    graph_loader = _Cache.graph_loader()
    loader = MigrationLoader(connection, load=False)
    for name in ("graph", "disk_migrations", "unmigrated_apps", "migrated_apps", "replacements"):
        setattr(loader, name, getattr(graph_loader, name))
    recorder = MigrationRecorder(connection)
    loader.applied_migrations = recorder.applied_migrations() if recorder.has_table() else {}

    executor = MigrationExecutor.__new__(MigrationExecutor)
    executor.connection, executor.loader, executor.recorder, executor.progress_callback = (
        connection,
        loader,
        recorder,
        None,
    )
    return executor


def _state_before(executor):
    """The project state with this database's applied migrations, rendered once per set of them."""
    key = frozenset(executor.loader.applied_migrations)
    state = _Cache.states.get(key)
    if state is None:
        state = executor._create_project_state(with_applied_migrations=True)
        state.apps  # noqa: B018 - render now, so every company after this one gets a rendered clone
        _Cache.states = {key: state}  # keep one: most companies share the same point
    return state.clone()


def apply_pending(alias: str) -> int:
    """Apply every migration `alias`'s database lacks; return how many were applied."""
    from django.db import connections

    executor = _executor(connections[alias])
    targets = executor.loader.graph.leaf_nodes()
    plan = executor.migration_plan(targets)
    if not plan:
        return 0
    if executor.loader.replacements:
        # Squashed migrations need Django's own bookkeeping: take the long way.
        from subscription.schema import migrate_database

        migrate_database(alias)
        return len(plan)
    executor.migrate(targets, plan=plan, state=_state_before(executor))
    return len(plan)


def migrate_one(slug: str, options: dict) -> Outcome:
    """Migrate one company's database; never raises (a failure is an Outcome)."""
    from django.db import connections

    from subscription.schema import migrate_database
    from subscription.storage import tenant_storage
    from subscription.tenancy import lease_tenant_alias

    started = time.perf_counter()
    if tenant_storage().files(slug).exists is False:
        return Outcome(slug, False, 0.0, error=f"database file missing; run `manage.py create_tenant_db {slug}`")
    try:
        with lease_tenant_alias(slug) as alias:
            if options:
                output = migrate_database(alias, **options)
                executor = _executor(connections[alias])
                up_to_date = not executor.migration_plan(executor.loader.graph.leaf_nodes())
                return Outcome(slug, True, time.perf_counter() - started, output=output, up_to_date=up_to_date)
            applied = apply_pending(alias)
            output = f"  Applied {applied} migration(s)." if applied else ""
            return Outcome(slug, True, time.perf_counter() - started, output, up_to_date=True, applied=applied)
    except SystemExit:  # migrate --check exits 1 when migrations are unapplied
        return Outcome(slug, False, time.perf_counter() - started, error="has unapplied migrations")
    except Exception as error:  # noqa: BLE001 - one broken company must not stop the others
        message = " ".join(str(error).split()) or type(error).__name__
        return Outcome(slug, False, time.perf_counter() - started, error=f"{type(error).__name__}: {message}")


def migrate_many(slugs: list[str], options: dict) -> list[Outcome]:
    """migrate_one for each of `slugs`, in order (a worker's share)."""
    return [migrate_one(slug, options) for slug in slugs]


def prepare_fork() -> None:
    """Read the migration graph once for every worker to inherit, and close what a copy must not share."""
    from subscription.workers import close_before_fork

    _Cache.graph_loader()
    close_before_fork()
