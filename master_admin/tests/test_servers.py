"""/master-admin/: a company's database server on its page (moved from there by a superuser), and the servers page.

Real servers, as in subscription/tests/test_moves.py: `local` (the SQLite folder), pg1 and pg2 of the test harness.
"""

import pytest
from django.urls import reverse

from doctors.models import Doctor
from doctors.tests.factories import DoctorFactory
from master_admin.models import JobRun
from subscription import access
from subscription.lifecycle import company_archive, company_suspend
from subscription.models import Company, CompanyMove, TenantServer
from subscription.scaleout.placement import server_states, set_server_state
from subscription.storage import server_storage
from subscription.tenancy import use_tenant

pytestmark = [pytest.mark.pgservers, pytest.mark.django_db(transaction=True)]
State = TenantServer.State
CONFIRMED = {"confirm": "on"}


@pytest.fixture
def on_local(servers, company_factory):
    """A company on the SQLite folder, with a doctor."""
    company = company_factory(name="Acme Pharma", server="local")
    with use_tenant(company):
        DoctorFactory(last_name="Beforemove")
    return company


def card_url(company) -> str:
    return reverse("master_admin:company-server", args=[company.slug])


def move_url(company) -> str:
    return reverse("master_admin:company-move", args=[company.slug])


def state_url(name: str) -> str:
    return reverse("master_admin:server-state", args=[name])


def server_row(page: str, name: str) -> str:
    return page.split(f'id="server-{name}"', 1)[1].split("</tr>", 1)[0]


def nothing_moved(company) -> bool:
    """Still recorded on local, no move begun, no move job queued, no copy on pg1."""
    company.refresh_from_db()
    return (
        company.server == "local"
        and not CompanyMove.objects.exists()
        and not JobRun.objects.filter(name="move_now").exists()
        and not server_storage("pg1").exists(company.slug)
    )


def test_it_shows_the_companys_server_and_the_servers_it_can_go_to(on_local, superuser_client):
    set_server_state("pg2", State.DRAINING)
    page = superuser_client.get(reverse("master_admin:company-detail", args=[on_local.slug])).text
    assert 'id="server"' in page and 'id="company-server"><strong>local</strong> · sqlite · ' in page
    form = page.split('id="move-form"', 1)[1].split("</form>", 1)[0]
    assert '<option value="pg1">pg1 (postgresql)</option>' in form
    assert 'value="pg2"' not in form and 'value="local"' not in form  # draining; where it is
    assert 'name="drop_source"' in form and 'name="confirm"' in form
    assert "Never moved." in page and "hx-get" not in page.split('id="server"', 1)[1].split(">", 1)[0]
    set_server_state("pg1", State.DRAINING)
    card = superuser_client.get(card_url(on_local)).text
    assert "No other server can take it" in card and 'id="move-form"' not in card


def test_a_superuser_moves_a_company_and_its_data_is_then_read_from_the_new_server(
    on_local, servers, superuser, superuser_client, role_client
):
    done = superuser_client.post(move_url(on_local), {"target": "pg1", **CONFIRMED}, follow=True)
    assert done.status_code == 200 and "Acme Pharma is being moved to pg1" in done.text
    company = Company.objects.get(pk=on_local.pk)
    assert company.server == "pg1" and company.lifecycle_pending == ""
    assert not server_storage("local").exists(company.slug)
    with servers.pg1.connect(server_storage("pg1").name(company.slug)) as direct:
        assert direct.execute("SELECT last_name FROM doctors_doctor").fetchall() == [("Beforemove",)]
    assert "Beforemove" in role_client("owner", company).get("/doctors/").text
    with use_tenant(company):
        DoctorFactory(last_name="Aftermove")  # writable on pg1

    run = JobRun.objects.get(name="move_now")
    assert (run.result, run.company_slug, run.requested_by) == ("ok", company.slug, superuser.get_username())
    assert run.message.startswith("moved to pg1: ") and " rows, read-only " in run.message
    card = superuser_client.get(card_url(company)).text
    assert "<strong>pg1</strong> · postgresql" in card and "hx-get" not in card
    moves = card.split('id="move-list"', 1)[1]
    assert "<td>local</td>" in moves and "<td>pg1</td>" in moves and "Done" in moves
    assert superuser.get_username() in moves and CompanyMove.objects.get().kept_source in moves

    superuser_client.post(move_url(company), {"target": "pg2", "drop_source": "on", **CONFIRMED})
    company.refresh_from_db()
    assert company.server == "pg2" and not server_storage("pg1").exists(company.slug)
    with use_tenant(company):
        assert sorted(Doctor.objects.values_list("last_name", flat=True)) == ["Aftermove", "Beforemove"]
    assert "dropped" in superuser_client.get(card_url(company)).text


@pytest.mark.parametrize(
    "target, data, refusal",
    [
        ("local", CONFIRMED, "is on local already; nothing was changed."),
        ("pg2", CONFIRMED, "The server pg2 is being drained, so no company is moved onto it"),
        ("nowhere", CONFIRMED, "There is no database server “nowhere”"),
        ("pg1", {}, "Tick the confirmation to move the company."),
        ("", CONFIRMED, "Choose the server to move the company to."),
    ],
)
def test_a_move_that_cannot_be_made_is_refused_and_changes_nothing(on_local, superuser_client, target, data, refusal):
    set_server_state("pg2", State.DRAINING)
    response = superuser_client.post(move_url(on_local), {"target": target, **data}, follow=True)
    assert response.status_code == 200 and refusal in response.text
    assert "is being moved" not in response.text
    assert nothing_moved(on_local) and on_local.lifecycle_pending == ""
    with use_tenant(on_local):
        DoctorFactory()  # still writable where it was


def test_a_company_with_an_unfinished_step_is_not_moved(on_local, superuser_client):
    Company.objects.filter(pk=on_local.pk).update(lifecycle_pending=access.RECOVERING)
    assert "Another step is unfinished." in superuser_client.get(card_url(on_local)).text
    response = superuser_client.post(move_url(on_local), {"target": "pg1", **CONFIRMED}, follow=True)
    assert "Acme Pharma cannot be moved now: Another step is unfinished." in response.text
    assert nothing_moved(on_local)


def test_an_archived_company_is_not_moved(on_local, superuser_client):
    company_suspend(company=on_local)
    company_archive(company=on_local)
    card = superuser_client.get(card_url(on_local)).text
    assert "It cannot be moved now: It has no database in service." in card and 'id="move-form"' not in card
    response = superuser_client.post(move_url(on_local), {"target": "pg1", **CONFIRMED}, follow=True)
    assert "Acme Pharma cannot be moved now: It has no database in service." in response.text
    assert nothing_moved(on_local)


def test_only_superusers_reach_the_server_pages_and_actions(on_local, role_client, client):
    owner = role_client("owner", on_local)
    calls = [
        ("get", card_url(on_local), {}),
        ("post", move_url(on_local), {"target": "pg1", **CONFIRMED}),
        ("get", reverse("master_admin:server-list"), {}),
        ("post", state_url("pg1"), {"state": State.DRAINING}),
    ]
    for method, url, data in calls:
        assert getattr(owner, method)(url, data).status_code == 403, url
        anonymous = getattr(client, method)(url, data)
        assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("login") + "?next="), url
    assert nothing_moved(on_local) and not TenantServer.objects.exists()


def test_the_servers_page_lists_each_server_and_its_state_buttons_work(servers, company_factory, superuser_client):
    on_pg1 = [company_factory(server="pg1"), company_factory(server="pg1")]
    company_factory(server="local")
    CompanyMove.objects.create(company=on_pg1[0], source="pg1", target="pg2", step=CompanyMove.Step.COPIED, by="ops")
    url = reverse("master_admin:server-list")
    page = superuser_client.get(url).text
    assert f'href="{url}"' in page.split('class="nav nav-pills"', 1)[1]
    rows = {name: server_row(page, name) for name in ("local", "pg1", "pg2")}
    assert 'server-companies">2<' in rows["pg1"] and 'server-companies">0<' in rows["pg2"]
    assert 'server-companies">1<' in rows["local"]
    assert "postgresql" in rows["pg1"] and "sqlite" in rows["local"]
    assert "Open to new companies" in rows["pg2"] and "Closed to new companies" in rows["local"]
    assert "unreachable" not in page
    moving = page.split('id="unfinished-moves"', 1)[1]
    assert reverse("master_admin:company-detail", args=[on_pg1[0].slug]) in moving and "Copied" in moving
    assert 'hx-get="' in superuser_client.get(card_url(on_pg1[0])).text  # its card follows the move

    drained = superuser_client.post(state_url("pg2"), {"state": State.DRAINING}, follow=True).text
    assert server_states()["pg2"] == State.DRAINING and "pg2: Draining" in drained
    assert "Draining (companies are moved off)" in server_row(drained, "pg2")
    superuser_client.post(state_url("local"), {"state": State.OPEN})
    assert server_states()["local"] == State.OPEN
    refused = superuser_client.post(state_url("pg1"), {"state": "asleep"}, follow=True).text
    assert "is not a state of a server" in refused and server_states()["pg1"] == State.OPEN
    assert superuser_client.post(state_url("pg9"), {"state": State.OPEN}).status_code == 404
    assert not TenantServer.objects.filter(name="pg9").exists()


def test_a_move_the_job_cannot_make_fails_the_job_with_its_reason_shown_on_the_card(on_local, superuser_client):
    server_storage("pg1").create(on_local.slug)  # something is in the way on the target
    superuser_client.post(move_url(on_local), {"target": "pg1", **CONFIRMED})
    run = JobRun.objects.get(name="move_now")
    assert run.result == "failed" and run.message.startswith("MoveError: The server pg1 has a database for")
    card = superuser_client.get(card_url(on_local)).text
    assert 'id="move-job-failed"' in card and "has a database for “" in card
    on_local.refresh_from_db()
    assert on_local.server == "local" and on_local.lifecycle_pending == ""
    server_storage("pg1").drop(on_local.slug)
