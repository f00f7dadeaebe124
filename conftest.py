"""Fixtures shared by every app's tests: real company databases in a temporary folder."""

import os
from unittest import mock

import pytest
from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.test import Client

from subscription.models import Subscription, UserProfile
from subscription.provisioning import tenant_database_drop
from subscription.tenancy import close_tenant_connections, forget_all_aliases, is_tenant_alias, use_tenant
from subscription.tests import pgservers
from subscription.tests.factories import CompanyFactory, ProfileFactory, UserFactory

POSTGRES_SERVER = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
# Names of the databases a test run makes on that server; two runs sharing a server use two prefixes, and
# each worker process of a parallel run (pytest-xdist) its own.
PG_PREFIX = os.environ.get("TEST_POSTGRES_PREFIX", "pytest") + os.environ.get("PYTEST_XDIST_WORKER", "")


@pytest.fixture(scope="session", autouse=True)
def _tenant_folder(tmp_path_factory):
    """Company databases of the test run live in a temporary folder, never in databases/."""
    settings.TENANT_DB_DIR = tmp_path_factory.mktemp("tenants")
    settings.TENANT_DATABASE_URL = ""
    # Backups and the files of jobs, too; no key and no second place unless a test sets them.
    settings.BACKUP_DIR = tmp_path_factory.mktemp("backups")
    settings.BACKUP_COPY_DIR = ""
    settings.BACKUP_KEY = ""
    settings.JOB_FILES_DIR = str(tmp_path_factory.mktemp("job-files"))
    # Jobs run in the caller (immediate mode, an in-memory queue); tests of the worker start a real one.
    from subscription.jobs import huey

    huey.immediate = True
    # Tests assert the English source texts; test_translations.py checks the Azerbaijani and Russian ones.
    settings.LANGUAGE_CODE = "en"
    # Off whatever DEBUG or .env say; subscription/tests/test_second_factor.py turns it on.
    settings.SUPERUSER_2FA = False
    # No spare PostgreSQL databases (each creation would make one more); test_moves.py tests the pool.
    settings.TENANT_SPARE_DATABASES = 0
    # Password hashing is not under test; the fast hasher keeps logins in tests cheap.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    yield
    close_tenant_connections()
    from subscription.storage.postgres import close_admin_connections

    close_admin_connections()


@pytest.fixture(autouse=True)
def _tenant_connections_allowed(request):
    """Let tests reach company databases, which Django's test case does not know about.

    Django's TestCase refuses connections to aliases outside its `databases`; company aliases are
    registered while the test runs, so they are let through here. They are not wrapped in the
    test's transaction: company databases are real files in a temporary folder, and the
    `company_factory` fixture removes them afterwards.
    """
    if request.node.get_closest_marker("django_db") is None and not {"db", "transactional_db"} & set(
        request.fixturenames
    ):
        yield
        return
    request.getfixturevalue("_django_db_helper")
    guarded = BaseDatabaseWrapper.ensure_connection
    unguarded = request.getfixturevalue("django_db_blocker")._real_ensure_connection

    def ensure_connection(self, *args, **kwargs):
        if is_tenant_alias(self.alias):
            return unguarded(self, *args, **kwargs)
        return guarded(self, *args, **kwargs)

    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", ensure_connection):
        yield
    forget_all_aliases()


@pytest.fixture
def company_factory(db):
    """Make companies with real databases; their databases are removed after the test."""
    made = []

    def make(**kwargs):
        company = CompanyFactory(**kwargs)
        made.append(company)
        return company

    yield make
    for company in made:
        # Where its database is now (a test may have moved it); the row itself may be gone.
        company.server = (
            type(company).objects.filter(pk=company.pk).values_list("server", flat=True).first() or company.server
        )
        tenant_database_drop(company)


@pytest.fixture
def acme(company_factory):
    return company_factory(name="Acme Pharma")


@pytest.fixture
def globex(company_factory):
    return company_factory(name="Globex Medical")


@pytest.fixture
def tenant(acme):
    """A provisioned company, selected for the test."""
    with use_tenant(acme):
        yield acme


@pytest.fixture
def other_tenant(globex):
    return globex


@pytest.fixture
def member(db):
    def make(role: str, company, **user_fields):
        return ProfileFactory(user=UserFactory(**user_fields), company=company, role=role).user

    return make


@pytest.fixture
def client_for(member, client):
    """A logged-in test client for a new user with `role` in `company`."""

    def make(role: str, company):
        client.force_login(member(role, company))
        return client

    return make


@pytest.fixture
def login(client):
    """`login(user)`: the test client, logged in as `user`."""

    def log_in(user):
        client.force_login(user)
        return client

    return log_in


@pytest.fixture
def role_client(member):
    """A new logged-in client (its own session) for a new user with `role` in `company`."""

    def make(role: str, company, **user_fields) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(member(role, company, **user_fields))
        return client

    return make


@pytest.fixture
def make_read_only():
    """Turn a company read-only: its subscription is past due."""

    def make(company) -> None:
        Subscription.objects.filter(company=company).update(status=Subscription.Status.PAST_DUE)

    return make


@pytest.fixture
def superuser(db):
    user = UserFactory(is_superuser=True, is_staff=True)
    ProfileFactory(user=user, company=None, role=UserProfile.Role.OWNER)
    return user


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


class QueryCounter:
    """Counts queries on every database this thread touches (master and companies), including
    connections opened and closed inside the block, as the middleware does per request."""

    def __init__(self):
        self.queries: list[str] = []
        self.wrapped = []

    def __call__(self, execute, sql, params, many, context):
        self.queries.append(sql)
        return execute(sql, params, many, context)

    def wrap(self, connection):
        if self not in connection.execute_wrappers:
            connection.execute_wrappers.append(self)
            self.wrapped.append(connection)

    def _on_connect(self, sender, connection, **kwargs):
        self.wrap(connection)

    def __enter__(self):
        for connection in connections.all(initialized_only=True):
            self.wrap(connection)
        connection_created.connect(self._on_connect)
        return self

    def __exit__(self, *exc):
        connection_created.disconnect(self._on_connect)
        for connection in self.wrapped:
            if self in connection.execute_wrappers:
                connection.execute_wrappers.remove(self)

    @property
    def count(self) -> int:
        return len(self.queries)


@pytest.fixture
def count_queries():
    return QueryCounter


@pytest.fixture
def on_postgres(settings):
    """Company databases on the real PostgreSQL server for this test.

    Skips where no server answers, unless REQUIRE_POSTGRES=1 (set by .ci/run), where it fails.
    Databases a crashed earlier run left behind are dropped first, so their names are free.
    """
    import psycopg

    try:
        server = psycopg.connect(f"{POSTGRES_SERVER}/postgres", connect_timeout=3, autocommit=True)
    except psycopg.Error as error:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but PostgreSQL at {POSTGRES_SERVER} is unreachable: {error}")
        pytest.skip(f"PostgreSQL at {POSTGRES_SERVER} is unreachable: {error}")
    with server:
        leftovers = server.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s OR datname LIKE %s",
            [f"{PG_PREFIX}\\_tenant\\_%", f"archived\\_\\_{PG_PREFIX}\\_%"],
        ).fetchall()
        for (name,) in leftovers:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    settings.TENANT_DATABASE_URL = f"{POSTGRES_SERVER}/{PG_PREFIX}_tenant_{{slug}}"


# --- Extra PostgreSQL servers of the test session (subscription/tests/pgservers.py) -----------------------
_harness_timings: dict[str, float] = {}


def _start_harness(what: str, start):
    """Start a piece of the harness; skip without its binaries, unless REQUIRE_POSTGRES=1, where it fails."""
    import time

    started = time.perf_counter()
    try:
        result = start()
    except pgservers.HarnessUnavailable as error:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but {what} cannot start: {error}")
        pytest.skip(f"{what}: {error}")
    _harness_timings[what] = time.perf_counter() - started
    return result


@pytest.fixture(scope="session")
def pg_servers():
    """Two independent PostgreSQL servers `pg1`, `pg2` and a streaming replica of pg1 (`replica`).

    Started on first use (about a second), once per session, and stopped with their folders at the end.
    """
    cluster = _start_harness("PostgreSQL test servers (pg1, pg2, replica of pg1)", pgservers.start_cluster)
    yield cluster
    cluster.stop()


@pytest.fixture
def servers(settings, pg_servers):
    """Company databases on three servers: `local` (SQLite), and the harness's pg1 and pg2 (TENANT_SERVERS)."""
    prefix = pgservers.HARNESS_PREFIX
    settings.TENANT_SERVERS = f"pg1={pg_servers.pg1.url}/{prefix}_{{slug}},pg2={pg_servers.pg2.url}/{prefix}_{{slug}}"
    return pg_servers


@pytest.fixture(scope="session")
def pgbouncer(pg_servers):
    """PgBouncer in transaction pooling mode in front of pg1 (pool of 5 server connections per database)."""
    bouncer = _start_harness("PgBouncer in front of pg1", lambda: pgservers.PgBouncer.start(pg_servers.pg1))
    yield bouncer
    bouncer.stop()


@pytest.fixture(scope="session")
def pg_migrated_database(pg_servers, django_db_blocker):
    """`make(server, name)`: a new database on a harness server, copied from its migrated company template.

    The template (every tenant migration applied, as provisioning makes it) is built on first use per server.
    """
    from subscription.storage.base import build_alias, migrate_alias

    templates: dict[int, str] = {}

    def make(server: pgservers.PostgresServer, name: str) -> dict:
        if server.port not in templates:
            template = server.create_database(f"tenant__template_{server.port}")
            with django_db_blocker.unblock(), build_alias(server.django_settings(template)) as alias:
                migrate_alias(alias)
            templates[server.port] = template
        server.create_database(name, template=templates[server.port])
        return server.django_settings(name)

    return make


def pytest_terminal_summary(terminalreporter):
    for what, seconds in _harness_timings.items():
        terminalreporter.write_line(f"{what}: started in {seconds:.2f} s")
