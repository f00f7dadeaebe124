"""The import pages' new addresses (an import's page and its undo) for each role, as the role table says,
and for another company's users (404, nothing changed) and anonymous visitors."""

import pytest
from django.urls import reverse

from sales.models import ImportBatch, Sale
from sales.tests.factories import SaleFactory
from subscription.tenancy import use_tenant
from subscription.ui.permissions import PERMISSIONS

pytestmark = pytest.mark.django_db
ROLES = ["owner", "manager", "representative", "viewer"]
# (URL name, method, permission action)
PAGES = [
    ("sales:import-batch-detail", "get", "sale_import"),
    ("sales:import-batch-undo", "post", "import_undo"),
]


def make_batch(user) -> ImportBatch:
    """An import of two sales, in the selected company."""
    batch = ImportBatch.objects.create(file_name="mart.csv", sha256="a" * 64, rows=2, created_by=user)
    SaleFactory.create_batch(2, batch=batch)
    return batch


def snapshot() -> dict:
    return {
        "batches": list(ImportBatch.objects.values_list("pk", "undone_at", "undone_by")),
        "sales": sorted(Sale.objects.values_list("pk", flat=True)),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "action"), PAGES, ids=[page[0] for page in PAGES])
def test_each_role_gets_what_the_role_table_says(acme, member, login, role, name, method, action):
    user = member(role, acme)
    with use_tenant(acme):
        batch = make_batch(user)
        before = snapshot()
    response = getattr(login(user), method)(reverse(name, args=[batch.pk]))
    if role in PERMISSIONS[action]:
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 403
        with use_tenant(acme):
            assert snapshot() == before


@pytest.mark.parametrize("role", ["owner", "manager", "representative", "viewer"])
@pytest.mark.parametrize(("name", "method", "action"), PAGES, ids=[page[0] for page in PAGES])
def test_another_companys_user_gets_404_and_changes_nothing(acme, globex, member, login, role, name, method, action):
    with use_tenant(acme):
        batch = make_batch(member("manager", acme))
        before = snapshot()
    outsider = login(member(role, globex))
    response = getattr(outsider, method)(reverse(name, args=[batch.pk]))
    assert response.status_code == (404 if role in PERMISSIONS[action] else 403)
    assert outsider.post(reverse("sales:import-batch-undo", args=[batch.pk])).status_code in (403, 404)
    with use_tenant(acme):
        assert snapshot() == before


@pytest.mark.parametrize(("name", "method", "action"), PAGES, ids=[page[0] for page in PAGES])
def test_anonymous_visitors_go_to_the_login_page(acme, member, client, name, method, action):
    with use_tenant(acme):
        batch = make_batch(None)
        before = snapshot()
    response = getattr(client, method)(reverse(name, args=[batch.pk]))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    with use_tenant(acme):
        assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_a_read_only_company_shows_imports_but_undoes_nothing(acme, member, login, make_read_only, role):
    user = member(role, acme)
    with use_tenant(acme):
        batch = make_batch(user)
        before = snapshot()
    make_read_only(acme)
    assert login(user).post(reverse("sales:import-batch-undo", args=[batch.pk])).status_code in (403, 405)
    with use_tenant(acme):
        assert snapshot() == before
