"""Company databases on several servers: placement, creation on a chosen server, and moves between them.

pg1 and pg2 are the harness's own PostgreSQL servers (pgservers.py); `local` is the test run's SQLite folder.
"""

import datetime
import sqlite3

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError
from django.utils import timezone

from doctors.models import Doctor
from doctors.tests.factories import DoctorFactory
from subscription import storage
from subscription.models import Company, CompanyMove, TenantServer
from subscription.scaleout.moves import MoveError, move_company
from subscription.scaleout.placement import choose_server, companies_per_server, server_states, set_server_state
from subscription.storage import ProvisioningError, server_storage
from subscription.storage.tables import fingerprint
from subscription.tenancy import WrongTenant, lease_tenant_alias, tenant_connection, use_tenant
from subscription.tests.pgservers import HARNESS_PREFIX
from subscription.tests.test_dbcopy import fill_company

pytestmark = [pytest.mark.pgservers, pytest.mark.django_db(transaction=True)]
Step = CompanyMove.Step


@pytest.fixture
def on_local(servers, company_factory):
    """A company on the SQLite folder with rows in every table."""
    company = company_factory(server="local")
    with use_tenant(company):
        fill_company(4)
    return company


def state_of(company: Company) -> tuple[dict, str]:
    """The company's data (every table's rows and checksum) and the server it is recorded on."""
    company.refresh_from_db()
    with lease_tenant_alias(company.slug, company.server) as alias:
        return fingerprint(alias, with_migrations=True), company.server


# --- Placement -------------------------------------------------------------------------------------------
def test_new_companies_go_to_the_open_server_with_the_fewest(servers, company_factory):
    assert server_states() == {"local": "closed", "pg1": "open", "pg2": "open"}
    first, second = company_factory(), company_factory()
    assert {first.server, second.server} == {"pg1", "pg2"}
    set_server_state("pg2", TenantServer.State.CLOSED)
    third = company_factory()
    assert third.server == "pg1" and companies_per_server() == {"local": 0, "pg1": 2, "pg2": 1}
    set_server_state("pg1", TenantServer.State.DRAINING)
    with pytest.raises(ProvisioningError, match="No database server is open"):
        choose_server()
    assert choose_server("pg2") == "pg2"  # an operator may still name a closed one...
    with pytest.raises(ProvisioningError, match="being drained"):
        choose_server("pg1")  # ...never a draining one
    with pytest.raises(ProvisioningError, match="no database server “nowhere”"):
        choose_server("nowhere")


def test_create_tenant_db_on_a_chosen_server(servers):
    Company.objects.create(name="Chosen", slug="chosen", lifecycle=Company.Lifecycle.PROVISIONING)
    call_command("create_tenant_db", "chosen", "--server", "pg2")
    company = Company.objects.get(slug="chosen")
    assert company.server == "pg2" and company.lifecycle == Company.Lifecycle.ACTIVE
    assert server_storage("pg2").exists("chosen") and not server_storage("pg1").exists("chosen")
    with use_tenant(company):
        DoctorFactory(last_name="Onpg2")
    with servers.pg2.connect(server_storage("pg2").name("chosen")) as direct:
        assert direct.execute("SELECT last_name FROM doctors_doctor").fetchall() == [("Onpg2",)]
    server_storage("pg2").drop("chosen")


# --- Moves ---------------------------------------------------------------------------------------------
def test_local_to_pg1_to_pg2_to_local_keeps_every_row_id_and_sequence(on_local):
    original, _server = state_of(on_local)
    for source, target in (("local", "pg1"), ("pg1", "pg2"), ("pg2", "local")):
        move = move_company(on_local, target, by="test")
        data, server = state_of(on_local)
        assert server == target and data == original, f"{source} → {target}"
        assert move.step == Step.DONE and move.rows > 50 and move.read_only_ms is not None
        assert move.kept_source and not server_storage(source).exists(on_local.slug)
        with use_tenant(Company.objects.get(pk=on_local.pk)):
            newest = Doctor.objects.order_by("-pk").first().pk
            assert DoctorFactory().pk > newest  # the sequence continues past the copied ids
        original, _server = state_of(on_local)
    on_local.refresh_from_db()
    assert on_local.lifecycle_pending == "" and on_local.server == "local"


def test_the_kept_source_refuses_writes_so_there_are_never_two_writable_copies(on_local, servers):
    move_company(on_local, "pg1")
    kept = server_storage("local").moved_path(on_local.slug)
    with sqlite3.connect(kept) as connection, pytest.raises(sqlite3.IntegrityError, match="being moved"):
        connection.execute("DELETE FROM doctors_doctor")
    move_company(on_local, "pg2", drop_source=True)
    assert not server_storage("pg1").exists(on_local.slug)


@pytest.mark.parametrize("killed_at", [Step.STARTED, Step.FENCED, Step.COPIED, Step.VERIFIED, Step.SWITCHED])
def test_a_move_killed_at_any_step_is_finished_by_running_it_again(on_local, killed_at):
    class Killed(BaseException):
        """Stands for the process being killed: nothing after this point runs."""

    def kill(move):
        if move.step == killed_at:
            raise Killed

    original, _server = state_of(on_local)
    with pytest.raises(Killed):
        move_company(on_local, "pg1", on_step=kill)
    on_local.refresh_from_db()
    assert on_local.lifecycle_pending == "move"  # read-only until the move is finished
    move = move_company(on_local, "pg1")  # the rerun
    data, server = state_of(on_local)
    assert server == "pg1" and data == original and move.step == Step.DONE
    assert not server_storage("local").exists(on_local.slug)
    steps = list(CompanyMove.objects.filter(company=on_local).order_by("pk").values_list("step", flat=True))
    assert steps == ([Step.DONE] if killed_at == Step.SWITCHED else [Step.ROLLED_BACK, Step.DONE])
    with use_tenant(Company.objects.get(pk=on_local.pk)):
        DoctorFactory()  # writable again


def test_a_copy_that_differs_aborts_the_move_and_the_company_stays_writable(on_local, servers):
    original, _server = state_of(on_local)

    def corrupt_the_target(move):
        if move.step == Step.COPIED:
            with servers.pg1.connect(server_storage("pg1").name(on_local.slug)) as target:
                target.execute(
                    "UPDATE doctors_doctor SET last_name = 'Changed' WHERE id = (SELECT min(id) FROM doctors_doctor)"
                )

    with pytest.raises(MoveError, match="stays on local, writable.*doctors_doctor"):
        move_company(on_local, "pg1", on_step=corrupt_the_target)
    data, server = state_of(on_local)
    assert server == "local" and data == original
    assert not server_storage("pg1").exists(on_local.slug)  # the target copy is removed
    on_local.refresh_from_db()
    assert on_local.lifecycle_pending == ""
    assert CompanyMove.objects.get(company=on_local).step == Step.ROLLED_BACK
    with use_tenant(on_local):
        DoctorFactory()  # the fence is gone


def test_a_move_is_refused_clearly_when_it_cannot_be_made(on_local, company_factory):
    with pytest.raises(MoveError, match="on local already"):
        move_company(on_local, "local")
    set_server_state("pg2", TenantServer.State.DRAINING)
    with pytest.raises(MoveError, match="being drained"):
        move_company(on_local, "pg2")
    with pytest.raises(CommandError, match="no database server named 'nowhere'|There is no database server"):
        call_command("move_company", on_local.slug, "--to", "nowhere")
    assert CompanyMove.objects.count() == 0 and Company.objects.get(pk=on_local.pk).lifecycle_pending == ""


def test_users_can_read_but_not_write_during_the_move_and_others_are_unaffected(
    on_local, company_factory, member, client
):
    other = company_factory(server="pg2")
    reader, other_client = client, type(client)()
    reader.force_login(member("owner", on_local))
    other_client.force_login(member("owner", other))
    seen = {}

    def during_the_copy(move):
        if move.step == Step.COPIED:
            seen["read"] = reader.get("/doctors/")
            seen["write"] = reader.post("/doctors/add/", {"last_name": "X"})
            seen["other"] = other_client.get("/doctors/")

    move_company(on_local, "pg1", on_step=during_the_copy)
    assert seen["read"].status_code == 200 and "being moved" in seen["read"].content.decode()
    assert seen["write"].status_code == 503 and seen["write"]["Retry-After"]
    assert "being moved" in seen["write"].content.decode()
    assert seen["other"].status_code == 200 and "being moved" not in seen["other"].content.decode()
    assert reader.get("/doctors/").status_code == 200  # after the move, from pg1


@pytest.mark.parametrize("server", ["local", "pg1"])
def test_a_write_through_a_connection_opened_before_the_fence_is_refused(servers, company_factory, server):
    company = company_factory(server=server)
    with use_tenant(company):
        DoctorFactory()  # the connection is open now
        server_storage(server).fence(company.slug)
        with pytest.raises(DatabaseError) as refused:
            DoctorFactory()
        assert storage.unavailable_reason(tenant_connection(), refused.value) == "moving"
    server_storage(server).unfence(company.slug)
    with use_tenant(company):
        DoctorFactory()


def test_the_wrong_company_guard_holds_across_servers(servers, company_factory):
    on_pg1, on_pg2 = company_factory(server="pg1"), company_factory(server="pg2")
    with use_tenant(on_pg1):
        doctor = DoctorFactory()
    with use_tenant(on_pg2), pytest.raises(WrongTenant):
        doctor.save()
    with use_tenant(on_pg2):
        assert not Doctor.objects.filter(pk=doctor.pk).exists() or Doctor.objects.get(pk=doctor.pk).code != doctor.code


def test_serving_many_companies_leaves_no_connections_open(servers, company_factory, member, client):
    companies = [company_factory(server="pg1") for _ in range(6)]
    for company in companies:
        client.force_login(member("manager", company))
        assert client.get("/doctors/").status_code == 200
    assert servers.pg1.client_connections() <= 2  # the maintenance connection, at most one more


# --- Commands ------------------------------------------------------------------------------------------
def test_tenant_servers_lists_each_server_and_decides_which_take_new_companies(
    servers, company_factory, settings, capsys
):
    settings.TENANT_REPLICAS = f"pg1={servers.replica.url}/{{slug}}"
    company_factory(server="pg1")
    call_command("tenant_servers", "--close", "pg2")
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines()[2:]}
    assert lines["pg1"].split()[1:4] == ["postgresql", "open", "1"] and "lag" in lines["pg1"]
    assert lines["pg2"].split()[1:4] == ["postgresql", "closed", "0"]
    assert lines["local"].split()[1:4] == ["sqlite", "closed", "0"]
    assert server_states()["pg2"] == "closed"
    with pytest.raises(CommandError, match="no database server named 'pg9'"):
        call_command("tenant_servers", "--open", "pg9")


def test_drain_server_moves_every_company_off_with_progress_and_a_summary(servers, company_factory, capsys):
    companies = [company_factory(server="pg1") for _ in range(3)]
    with use_tenant(companies[0]):
        DoctorFactory(last_name="Drained")
    call_command("drain_server", "pg1")
    out = capsys.readouterr().out
    assert "[3/3]" in out and "Moved 3 of 3" in out
    assert {Company.objects.get(pk=c.pk).server for c in companies} == {"pg2"}  # local is closed
    assert server_states()["pg1"] == "draining"
    with use_tenant(Company.objects.get(pk=companies[0].pk)):
        assert Doctor.objects.filter(last_name="Drained").exists()
    with pytest.raises(ProvisioningError, match="being drained"):
        choose_server("pg1")


# --- Spare databases -------------------------------------------------------------------------------------
def spares(server) -> list[str]:
    pattern = server_storage("pg1")._own_like("spare_")
    return [name for (name,) in server.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [pattern])]


def test_a_company_is_made_from_a_spare_database_which_is_then_replaced(servers, company_factory, settings):
    settings.TENANT_SPARE_DATABASES = 2
    old = server_storage("pg1")._own("spare_0000000000000000_old")
    server_storage("pg1").execute(f'CREATE DATABASE "{old}"')  # an earlier migration state's
    assert server_storage("pg1").refill_spares(2) == 2
    ready = set(spares(servers.pg1))
    assert len(ready) == 2 and old not in ready
    company = company_factory(server="pg1")
    after = set(spares(servers.pg1))
    assert len(after) == 2 and len(ready - after) == 1  # one was taken, and the worker made another
    with use_tenant(company):
        DoctorFactory(last_name="Onspare")
        assert list(Doctor.objects.values_list("last_name", flat=True)) == ["Onspare"]
    second = company_factory(server="pg1")
    with use_tenant(second):
        assert not Doctor.objects.exists()  # a spare is a clean migrated database, never another company's


def test_the_product_runs_through_pgbouncer_with_bounded_server_connections(
    settings, pg_servers, pgbouncer, company_factory, member, client
):
    """Companies on pg1 reached through PgBouncer (transaction pooling): made, written, listed, exported."""
    prefix = HARNESS_PREFIX
    settings.TENANT_SERVERS = f"pg1={pg_servers.pg1.url}/{prefix}_{{slug}}"
    settings.TENANT_POOLERS = f"pg1={pgbouncer.url}/{prefix}_{{slug}}"
    companies = [company_factory(server="pg1") for _ in range(4)]
    for company in companies:
        with use_tenant(company):
            DoctorFactory(last_name=f"Pooled{company.pk}")
        client.force_login(member("manager", company))
        page = client.get("/doctors/")
        assert page.status_code == 200 and f"Pooled{company.pk}" in page.content.decode()
        export = client.get("/doctors/?export=csv")
        assert export.status_code == 200 and f"Pooled{company.pk}" in b"".join(export.streaming_content).decode()
        assert pg_servers.pg1.client_connections() <= pgbouncer.pool_size + 1
    pools = {row["database"] for row in pgbouncer.show("POOLS")}
    assert {f"{prefix}_{company.slug.replace('-', '_')}" for company in companies} <= pools  # served through it


def test_kept_old_databases_are_dropped_after_the_retention_period(on_local, settings):
    settings.TENANT_MOVE_KEEP_DAYS = 7
    move_company(on_local, "pg1")
    kept = server_storage("local").moved_path(on_local.slug)
    call_command("move_company", "--purge")
    assert kept.exists()  # a day-old move keeps its source
    CompanyMove.objects.update(finished_at=timezone.now() - datetime.timedelta(days=8))
    call_command("move_company", "--purge")
    assert not kept.exists()
    assert CompanyMove.objects.get().kept_source == "" and CompanyMove.objects.get().drop_source
