"""Reading from a company's streaming replica: only in read-only places, only while it keeps up, never
after the reader's own write. pg1 and its replica are the harness's own servers (pgservers.py)."""

import time

import pytest
from django.utils import timezone

from appointments.tests.factories import AppointmentFactory
from doctors.models import Doctor
from doctors.tests.factories import DoctorFactory
from subscription import replicas
from subscription.aliases import tenant_alias
from subscription.tenancy import use_tenant
from subscription.tests.pgservers import HARNESS_PREFIX

pytestmark = [pytest.mark.pgservers, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def company(settings, pg_servers, company_factory):
    """A company on pg1, whose replica is the harness's streaming replica of pg1; replay running."""
    prefix = HARNESS_PREFIX
    settings.TENANT_SERVERS = f"pg1={pg_servers.pg1.url}/{prefix}_{{slug}}"
    settings.TENANT_REPLICAS = f"pg1={pg_servers.replica.url}/{prefix}_{{slug}}"
    settings.REPLICA_MAX_LAG_S = 1.0
    company = company_factory(server="pg1")
    with use_tenant(company):
        DoctorFactory(last_name="Before")
    pg_servers.replica.wait_until_replayed(pg_servers.pg1)
    replicas.forget_lags()
    yield company
    pg_servers.replica.resume_replay()
    replicas.forget_lags()


def lagging(pg_servers, company, last_name: str = "After") -> None:
    """Pause the replica's replay, then write on the primary and let the lag pass the threshold."""
    pg_servers.replica.pause_replay()
    with use_tenant(company):
        DoctorFactory(last_name=last_name)
    pg_servers.replica.wait_until_received(pg_servers.pg1)
    time.sleep(1.2)
    replicas.forget_lags()


def test_reads_go_to_the_replica_while_it_keeps_up(company):
    with use_tenant(company), replicas.reading_from_replica() as on_replica:
        doctors = list(Doctor.objects.all())
    assert on_replica and [d.last_name for d in doctors] == ["Before"]
    assert {d._state.db for d in doctors} == {tenant_alias(company.slug, "replica")}
    with use_tenant(company):  # outside such a block: the primary
        assert {d._state.db for d in Doctor.objects.all()} == {tenant_alias(company.slug)}


def test_a_replica_too_far_behind_is_not_read_from(company, pg_servers):
    lagging(pg_servers, company)
    assert pg_servers.replica.replay_lag_seconds() > 1.0
    with use_tenant(company), replicas.reading_from_replica() as on_replica:
        names = sorted(Doctor.objects.values_list("last_name", flat=True))
    assert not on_replica and names == ["After", "Before"]  # the primary's rows
    pg_servers.replica.resume_replay()
    pg_servers.replica.wait_until_replayed(pg_servers.pg1)
    replicas.forget_lags()
    with use_tenant(company), replicas.reading_from_replica() as on_replica:
        assert on_replica and Doctor.objects.count() == 2


def test_a_write_in_the_block_sends_the_later_reads_to_the_primary(company):
    with use_tenant(company), replicas.reading_from_replica() as on_replica:
        assert on_replica and Doctor.objects.first()._state.db.endswith("__replica")
        DoctorFactory(last_name="Written")
        assert Doctor.objects.filter(last_name="Written").exists()  # read where it was written
        assert Doctor.objects.first()._state.db == tenant_alias(company.slug)


def test_after_their_own_write_a_user_reads_from_the_primary(company, pg_servers, member, client):
    user = member("manager", company)
    client.force_login(user)
    with use_tenant(company):
        doctor = Doctor.objects.get()
    lagging(pg_servers, company, last_name="Unreplayed")
    with use_tenant(company):
        AppointmentFactory(doctor_id=doctor.pk, staff_id=user.pk, planned_start=timezone.now())
    replicas.forget_lags()
    # The replica is behind, so the dashboard counts from the primary: the new visit is there.
    assert client.get("/").context["figures"]["visits"]["planned"] == 1
    pg_servers.replica.resume_replay()
    pg_servers.replica.wait_until_replayed(pg_servers.pg1)
    pg_servers.replica.pause_replay()
    with use_tenant(company):
        AppointmentFactory(doctor_id=doctor.pk, staff_id=user.pk, planned_start=timezone.now())
    replicas.forget_lags()
    # Replay paused just now: the lag is still under a second, so the dashboard reads the replica...
    assert client.get("/").context["figures"]["visits"]["planned"] == 1
    # ...unless this user has just written: their own write made a cookie that keeps them on the primary.
    form = client.get(f"/doctors/{doctor.pk}/edit/").context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    saved = client.post(f"/doctors/{doctor.pk}/edit/", data)
    assert saved.status_code == 302 and replicas.WROTE_COOKIE in saved.cookies
    assert client.get("/").context["figures"]["visits"]["planned"] == 2


def test_a_streamed_export_reads_where_the_reader_may(company, pg_servers, member, client, settings):
    """The CSV body streams after the view returned: still from the replica, unless the reader just wrote."""
    client.force_login(member("manager", company))
    settings.REPLICA_MAX_LAG_S = 30.0  # the unreplayed write below stays "close enough"
    pg_servers.replica.pause_replay()
    with use_tenant(company):
        DoctorFactory(last_name="Unreplayed")
    replicas.forget_lags()

    def exported() -> str:
        return b"".join(client.get("/doctors/?export=csv").streaming_content).decode()

    assert "Before" in exported() and "Unreplayed" not in exported()  # from the replica
    client.cookies[replicas.WROTE_COOKIE] = "1"  # as the user's own write leaves it
    assert "Unreplayed" in exported()  # from the primary
