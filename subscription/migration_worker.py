"""Migrating one company's database; importable in a fresh worker process before Django is set up."""

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


def start_worker(tenant_db_dir: str, tenant_database_url: str) -> None:
    """Set up Django in a worker process, with the parent's tenant location."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings

    settings.TENANT_DB_DIR = tenant_db_dir
    settings.TENANT_DATABASE_URL = tenant_database_url


def migrate_one(slug: str, options: dict) -> Outcome:
    """Migrate one company's database; never raises (a failure is an Outcome)."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    from subscription.schema import migrate_database
    from subscription.storage import tenant_storage
    from subscription.tenancy import close_connection, register_tenant_alias

    started = time.perf_counter()
    if tenant_storage().files(slug).exists is False:
        return Outcome(slug, False, 0.0, error=f"database file missing; run `manage.py create_tenant_db {slug}`")
    alias = register_tenant_alias(slug)
    try:
        output = migrate_database(alias, **options)
        executor = MigrationExecutor(connections[alias])
        up_to_date = not executor.migration_plan(executor.loader.graph.leaf_nodes())
        return Outcome(slug, True, time.perf_counter() - started, output=output, up_to_date=up_to_date)
    except SystemExit:  # migrate --check exits 1 when migrations are unapplied
        return Outcome(slug, False, time.perf_counter() - started, error="has unapplied migrations")
    except Exception as error:  # noqa: BLE001 - one broken company must not stop the others
        message = " ".join(str(error).split()) or type(error).__name__
        return Outcome(slug, False, time.perf_counter() - started, error=f"{type(error).__name__}: {message}")
    finally:
        close_connection(alias)
