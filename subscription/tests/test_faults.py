"""One company's broken or busy database: a clear 503 for that company, within 2 s, and the others unaffected."""

import statistics
import subprocess
import sys
import threading
import time

import pytest
from django.urls import reverse

from subscription import faults
from subscription.faults import Gate
from subscription.models import TenantSchemaState
from subscription.storage.sqlite import tenant_database_path
from subscription.tests.live import LiveSite

# --- Through the test client ----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_faults_left():
    faults.clear_faults()
    yield
    faults.clear_faults()


def assert_unavailable(response, reason: str) -> None:
    assert response.status_code == 503
    assert int(response["Retry-After"]) >= 1
    assert f'data-reason="{reason}"' in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda path: path.unlink(), "missing"),
        (lambda path: path.write_bytes(b"not a database at all " * 400), "corrupt"),
    ],
)
def test_a_missing_or_corrupt_database_gets_the_unavailable_page_and_monitoring_says_why(
    damage, reason, acme, globex, role_client, superuser_client
):
    damage(tenant_database_path(acme.slug))
    response = role_client("manager", acme).get(reverse("doctors:doctor-list"))
    assert_unavailable(response, reason)
    state = TenantSchemaState.objects.get(company=acme)
    assert state.last_fault.startswith(reason) and state.last_fault_at is not None
    assert reason in superuser_client.get(reverse("master_admin:monitoring-dashboard")).text
    other = role_client("manager", globex).get(reverse("doctors:doctor-list"))
    assert other.status_code == 200


@pytest.mark.django_db
def test_a_fault_is_remembered_for_the_cool_down_then_tried_again(acme, client_for, settings):
    settings.TENANT_FAULT_COOLDOWN_S = 0.3
    path = tenant_database_path(acme.slug)
    saved = path.read_bytes()
    path.unlink()
    client = client_for("manager", acme)
    assert client.get(reverse("doctors:doctor-list")).status_code == 503
    path.write_bytes(saved)
    assert client.get(reverse("doctors:doctor-list")).status_code == 503  # still cooling down
    time.sleep(0.35)
    assert client.get(reverse("doctors:doctor-list")).status_code == 200


def test_the_gate_admits_its_slots_queues_a_few_and_refuses_the_rest():
    gate = Gate(slots=2, queue=1)
    assert gate.enter(timeout=0) and gate.enter(timeout=0)
    outcome = []
    waiter = threading.Thread(target=lambda: outcome.append(gate.enter(timeout=5)))
    waiter.start()
    time.sleep(0.1)
    assert gate.enter(timeout=5) is False  # the queue is full: refused at once, not after 5 s
    gate.leave()
    waiter.join()
    assert outcome == [True]
    assert gate.enter(timeout=0.05) is False  # both places taken again, the wait runs out


# --- Through a real server ---------------------------------------------------------------------------------
HOLD_LOCK = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=0)
connection.execute("PRAGMA locking_mode=EXCLUSIVE")
connection.execute("BEGIN EXCLUSIVE")
connection.execute("UPDATE doctors_doctor SET notes = notes")
print("locked", flush=True)
time.sleep(120)
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = LiveSite(tmp_path_factory.mktemp("faults"), threads=8)
    site.set_up(["acme", "globex"])
    site.start()
    yield site
    site.stop()


def test_a_locked_company_gets_503_within_2_s_and_another_company_is_served_as_usual(site):
    acme, globex = site.browser("acme_owner"), site.browser("globex_owner")
    usual = statistics.median(globex.request("/doctors/").seconds for _round in range(5))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(site.database("acme"))], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "locked"
    try:
        acme_answers, globex_answers = [], []
        requests = [
            threading.Thread(target=lambda: acme_answers.append(acme.request("/doctors/"))) for _number in range(8)
        ]
        requests += [
            threading.Thread(target=lambda: globex_answers.append(globex.request("/doctors/"))) for _number in range(4)
        ]
        for request in requests:
            request.start()
        for request in requests:
            request.join()
    finally:
        holder.kill()
        holder.wait()

    assert [answer.status for answer in acme_answers] == [503] * 8
    assert max(answer.seconds for answer in acme_answers) < 2.0
    assert all('id="company-unavailable"' in answer.text for answer in acme_answers)
    assert [answer.status for answer in globex_answers] == [200] * 4
    assert max(answer.seconds for answer in globex_answers) < max(1.0, 3 * usual)
