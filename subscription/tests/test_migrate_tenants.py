import pytest
from django.core.management import CommandError, call_command

from subscription.models import TenantSchemaState
from subscription.storage.sqlite import tenant_database_path

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    try:
        call_command("migrate_tenants", *args, stdout=out)
    except CommandError as error:
        return out.getvalue() + f"\nCommandError: {error}"
    return out.getvalue()


def test_it_skips_companies_already_up_to_date(acme, globex):
    output = run()
    assert f"{acme.slug} ... up to date" in output
    assert f"{globex.slug} ... up to date" in output
    assert "0 failed" in output


def test_one_broken_database_does_not_stop_the_others(acme, globex, company_factory):
    third = company_factory()
    tenant_database_path(globex.slug).write_bytes(b"this is not a database" * 100)
    output = run("--force")
    assert f"{acme.slug} ... ok" in output
    assert f"{third.slug} ... ok" in output
    assert f"{globex.slug} ... FAILED" in output
    assert f"CommandError: 1 of 3 company database(s) failed: {globex.slug}" in output
    state = TenantSchemaState.objects.get(company=globex)
    assert "not a database" in state.last_error
    assert TenantSchemaState.objects.get(company=acme).last_error == ""


def test_it_exits_non_zero_when_a_company_fails(acme, globex):
    tenant_database_path(globex.slug).unlink()
    with pytest.raises(CommandError, match=globex.slug):
        call_command("migrate_tenants", "--force")


def test_tenant_option_limits_the_run(acme, globex, company_factory):
    third = company_factory()
    output = run("--force", "--tenant", acme.slug, "--tenant", third.slug)
    assert acme.slug in output and third.slug in output
    assert globex.slug not in output
    assert "[2/2]" in output


def test_it_refuses_an_unknown_tenant(acme):
    with pytest.raises(CommandError, match="No company with the code: missing-one"):
        call_command("migrate_tenants", "--tenant", "missing-one")


def test_it_passes_migrate_options_through(acme):
    output = run("--plan", "--tenant", acme.slug)
    assert "No planned migration operations" in output
    output = run("doctors", "zero", "--tenant", acme.slug)
    assert "ok" in output
    state = TenantSchemaState.objects.get(company=acme)
    assert state.tenant_migration_key == ""  # behind on purpose: not up to date
    with pytest.raises(CommandError):
        call_command("migrate_tenants", "--check", "--tenant", acme.slug)
    output = run("--tenant", acme.slug)
    assert f"{acme.slug} ... ok" in output
    assert TenantSchemaState.objects.get(company=acme).tenant_migration_key != ""


def test_worker_processes_migrate_every_company(acme, globex, company_factory):
    third = company_factory()
    tenant_database_path(third.slug).write_bytes(b"broken" * 100)
    output = run("--force", "--jobs", "2")
    assert f"{acme.slug} ... ok" in output
    assert f"{globex.slug} ... ok" in output
    assert f"{third.slug} ... FAILED" in output
    assert "[3/3]" in output


def test_migrations_applied_by_the_workers_states_give_the_schema_djangos_migrate_gives(acme, globex, company_factory):
    """The worker hands every company the states it worked out once: the result must be Django's own."""
    from subscription.tenancy import lease_tenant_alias
    from subscription.tests.test_provisioning import schema_and_migrations

    third = company_factory()
    for company in (acme, third):
        with lease_tenant_alias(company.slug) as alias:  # back to before the last migrations of two apps
            call_command("migrate", "reports", "0001", database=alias, verbosity=0)
            call_command("migrate", "doctors", "0002", database=alias, verbosity=0)
    run("--force", "--tenant", acme.slug, "--tenant", third.slug)

    fresh = schema_and_migrations(tenant_database_path(globex.slug))
    assert schema_and_migrations(tenant_database_path(acme.slug)) == fresh
    assert schema_and_migrations(tenant_database_path(third.slug)) == fresh
