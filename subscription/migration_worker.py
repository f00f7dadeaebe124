"""Migrating one company's database; importable in a fresh worker process before Django is set up.

A worker migrates many companies, so it reads the migration graph once and keeps it. Most of
Django's time on a migration goes to rebuilding the project's models before and after each
operation; companies at the same point (the same applied migrations) need exactly the same ones,
so a worker works them out once for that point and gives each company's schema editor the same
states: a company costs one query when it is up to date, and little more than its own SQL otherwise.
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


def start_worker(tenant_db_dir: str, tenant_database_url: str, tenant_servers: str = "") -> None:
    """Set up Django in a worker process, with the parent's tenant locations."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings

    settings.TENANT_DB_DIR = tenant_db_dir
    settings.TENANT_DATABASE_URL = tenant_database_url
    settings.TENANT_SERVERS = tenant_servers


class _Cache:
    """What this process has learnt about the migrations: the graph, and the states of a plan."""

    loader = None
    steps: dict = {}

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


def _plan_steps(executor, plan) -> list[tuple]:
    """For each migration of `plan`, the project state before and after each of its operations.

    Worked out once for the database's set of applied migrations (most companies share one) and
    handed to every company's schema editor: the states are only read by `database_forwards`.
    """
    key = (frozenset(executor.loader.applied_migrations), tuple((m.app_label, m.name) for m, _back in plan))
    steps = _Cache.steps.get(key)
    if steps is None:
        state = executor._create_project_state(with_applied_migrations=True)
        state.apps  # noqa: B018 - render once; every clone below starts from the rendered models
        steps = []
        for migration, _backwards in plan:
            operations = []
            for operation in migration.operations:
                before = state.clone()
                operation.state_forwards(migration.app_label, state)
                operations.append((operation, before, state.clone()))
            steps.append((migration, operations))
        _Cache.steps = {key: steps}  # keep one point: the next company is most likely at the same one
    return steps


def _apply(executor, migration, operations) -> None:
    """What Django's executor does to apply one migration (Migration.apply, recording), with given states."""
    from django.db import transaction

    with executor.connection.schema_editor(atomic=migration.atomic) as schema_editor:
        for operation, before, after in operations:
            atomic_operation = operation.atomic or (migration.atomic and operation.atomic is not False)
            if not schema_editor.atomic_migration and atomic_operation:
                with transaction.atomic(schema_editor.connection.alias):
                    operation.database_forwards(migration.app_label, schema_editor, before, after)
            else:
                operation.database_forwards(migration.app_label, schema_editor, before, after)
        if not schema_editor.deferred_sql:
            executor.record_migration(migration)
            return
    executor.record_migration(migration)


def apply_pending(alias: str) -> int:
    """Apply every migration `alias`'s database lacks; return how many were applied."""
    from django.db import connections

    executor = _executor(connections[alias])
    targets = executor.loader.graph.leaf_nodes()
    plan = executor.migration_plan(targets)
    if not plan:
        return 0
    if executor.loader.replacements or any(backwards for _migration, backwards in plan):
        # Squashed migrations (and going back) need Django's own bookkeeping: take the long way.
        from subscription.schema import migrate_database

        migrate_database(alias)
        return len(plan)
    executor.recorder.ensure_schema()
    for migration, operations in _plan_steps(executor, plan):
        _apply(executor, migration, operations)
    return len(plan)


def migrate_one(place: tuple[str, str], options: dict) -> Outcome:
    """Migrate one company's database, `place` being (slug, server); never raises (a failure is an Outcome)."""
    from django.db import connections

    from subscription.schema import migrate_database
    from subscription.storage import server_storage, servers
    from subscription.tenancy import lease_tenant_alias

    slug, server = place
    started = time.perf_counter()
    if server_storage(server or servers.configured().default).files(slug).exists is False:
        return Outcome(slug, False, 0.0, error=f"database file missing; run `manage.py create_tenant_db {slug}`")
    try:
        with lease_tenant_alias(slug, server) as alias:
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


def migrate_many(places: list[tuple[str, str]], options: dict) -> list[Outcome]:
    """migrate_one for each of `places` ((slug, server) pairs), in order (a worker's share)."""
    return [migrate_one(place, options) for place in places]


def prepare_fork() -> None:
    """Read the migration graph once for every worker to inherit, and close what a copy must not share."""
    from subscription.workers import close_before_fork

    _Cache.graph_loader()
    close_before_fork()
