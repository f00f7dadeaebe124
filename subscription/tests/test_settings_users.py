"""The owner manages the company's users: within the plan's limit, never across companies."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from master_admin.models import ImpersonationSession
from master_admin.services import IMPERSONATION_SESSION_KEY
from subscription.models import UserProfile
from subscription.services import company_user_deactivate
from subscription.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def owner(acme, member):
    return member("owner", acme)


@pytest.fixture
def owner_client(owner):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner)
    return client


def new_user(username: str, **fields) -> dict:
    return {
        "username": username,
        "first_name": "Nigar",
        "last_name": "Quliyeva",
        "email": f"{username}@acme.az",
        "role": "representative",
        "language": "az",
        "password": "Kardiomaks-2025!",
        **fields,
    }


def test_the_owner_adds_a_user_who_can_log_in(acme, owner_client):
    response = owner_client.post(reverse("settings:user-create"), new_user("nigar"))

    assert response.status_code == 302
    user = User.objects.get(username="nigar")
    assert (user.profile.company, user.profile.role, user.is_active) == (acme, "representative", True)
    assert Client().login(username="nigar", password="Kardiomaks-2025!")
    assert "nigar" in owner_client.get(reverse("settings:user-list")).text


def test_a_user_is_never_added_to_another_company(acme, globex, owner_client):
    owner_client.post(reverse("settings:user-create"), new_user("moved", company=globex.pk))
    assert User.objects.get(username="moved").profile.company == acme


def test_the_user_after_the_plans_limit_is_refused_with_a_message(company_factory, member):
    plan = PlanFactory(code="tiny", name="Tiny", max_users=3)
    company = company_factory(plan=plan)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(member("owner", company))
    member("viewer", company, is_active=False)  # a deactivated user does not count

    for number in (2, 3):
        assert client.post(reverse("settings:user-create"), new_user(f"user-{number}")).status_code == 302
    response = client.post(reverse("settings:user-create"), new_user("user-4"))

    assert response.status_code == 200
    assert "The Tiny plan allows 3 active users and the company has reached it." in response.text
    assert not User.objects.filter(username="user-4").exists()
    assert company.profiles.filter(user__is_active=True).count() == 3
    listing = client.get(reverse("settings:user-list"))
    assert "3 of 3 active users" in listing.text
    assert reverse("settings:user-create") not in listing.text


def test_reactivating_past_the_limit_is_refused(company_factory, member):
    company = company_factory(plan=PlanFactory(code="two", name="Two", max_users=2))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(member("owner", company))
    member("manager", company)
    sleeping = member("viewer", company, is_active=False)

    response = client.post(reverse("settings:user-reactivate", args=[sleeping.pk]), follow=True)

    assert "The Two plan allows 2 active users" in response.text
    sleeping.refresh_from_db()
    assert not sleeping.is_active


def test_bad_input_is_a_form_error(acme, member, owner_client):
    taken = member("viewer", acme).username
    response = owner_client.post(
        reverse("settings:user-create"), new_user(taken.upper(), password="123", role="boss", email="x")
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"username", "password", "role", "email"}


def test_the_owner_changes_a_role(acme, member, owner_client):
    rep = member("representative", acme)
    response = owner_client.post(reverse("settings:user-role-edit", args=[rep.pk]), {"role": "manager"})
    assert response.status_code == 302
    assert UserProfile.objects.get(user=rep).role == "manager"


def test_the_last_active_owner_cannot_be_demoted(acme, owner, owner_client, member):
    member("owner", acme, is_active=False)  # an inactive owner does not run the company
    response = owner_client.post(reverse("settings:user-role-edit", args=[owner.pk]), {"role": "manager"})
    assert response.status_code == 200
    assert "last active owner" in response.text
    assert UserProfile.objects.get(user=owner).role == "owner"


def test_an_owner_may_step_down_when_another_owner_remains(acme, owner, owner_client, member):
    member("owner", acme)
    response = owner_client.post(reverse("settings:user-role-edit", args=[owner.pk]), {"role": "manager"})
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert UserProfile.objects.get(user=owner).role == "manager"


def test_deactivating_and_reactivating_a_user(acme, member, owner_client):
    rep = member("representative", acme)

    owner_client.post(reverse("settings:user-deactivate", args=[rep.pk]))
    rep.refresh_from_db()
    assert not rep.is_active
    assert not Client().login(username=rep.username, password="pw")

    owner_client.post(reverse("settings:user-reactivate", args=[rep.pk]))
    rep.refresh_from_db()
    assert rep.is_active


def test_an_owner_cannot_deactivate_themselves(owner, owner_client):
    response = owner_client.post(reverse("settings:user-deactivate", args=[owner.pk]), follow=True)
    assert "You cannot deactivate your own account." in response.text
    owner.refresh_from_db()
    assert owner.is_active


def test_another_owner_can_be_deactivated_but_not_the_last_one(acme, owner, owner_client, member):
    second = member("owner", acme)
    owner_client.post(reverse("settings:user-deactivate", args=[second.pk]))
    second.refresh_from_db()
    assert not second.is_active

    someone = member("manager", acme)
    with pytest.raises(ValidationError, match="last active owner"):
        company_user_deactivate(company=acme, user=owner, by=someone)


def test_a_superuser_inside_the_company_cannot_deactivate_its_last_owner(acme, owner, superuser, client):
    session = ImpersonationSession.objects.create(
        superuser=superuser, company=acme, reason="support", expires_at=timezone.now() + datetime.timedelta(hours=1)
    )
    client.force_login(superuser)
    stored = client.session
    stored[IMPERSONATION_SESSION_KEY] = session.pk
    stored.save()

    response = client.post(reverse("settings:user-deactivate", args=[owner.pk]), follow=True)

    assert response.status_code == 200
    assert "last active owner" in response.text
    owner.refresh_from_db()
    assert owner.is_active


def test_another_companys_user_is_not_found(globex, member, owner_client):
    outsider = member("owner", globex)
    for name in ("settings:user-role-edit", "settings:user-deactivate", "settings:user-reactivate"):
        assert owner_client.post(reverse(name, args=[outsider.pk]), {"role": "viewer"}).status_code == 404
    assert owner_client.get(reverse("settings:user-role-edit", args=[outsider.pk])).status_code == 404
    outsider.refresh_from_db()
    assert (outsider.is_active, outsider.profile.role, outsider.profile.company) == (True, "owner", globex)
    assert outsider.username not in owner_client.get(reverse("settings:user-list")).text


def test_a_manager_may_not_manage_users(acme, member, client):
    rep = member("representative", acme)
    client.force_login(member("manager", acme))
    assert client.post(reverse("settings:user-create"), new_user("sneaky")).status_code == 403
    assert client.post(reverse("settings:user-role-edit", args=[rep.pk]), {"role": "owner"}).status_code == 403
    assert client.post(reverse("settings:user-deactivate", args=[rep.pk])).status_code == 403
    assert not User.objects.filter(username="sneaky").exists()


def test_the_user_list_costs_the_same_queries_for_one_or_many(acme, member, owner_client, count_queries):
    counts = []
    for adding in (1, 20):
        for _number in range(adding):
            member("viewer", acme)
        with count_queries() as counter:
            assert owner_client.get(reverse("settings:user-list")).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]
