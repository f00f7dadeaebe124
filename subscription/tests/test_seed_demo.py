import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from doctors.models import Doctor
from subscription.models import Company
from subscription.provisioning import tenant_database_drop
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEMO_PASSWORD = "demo-pass"
    call_command("seed_demo", stdout=None)
    yield
    for company in Company.objects.filter(slug__in=["acme", "globex"]):
        tenant_database_drop(company)


def test_seed_demo_makes_the_documented_logins_and_data_and_is_idempotent(seeded, capsys):
    for username in ("admin", "acme_owner", "acme_manager", "acme_rep", "globex_owner", "globex_manager", "globex_rep"):
        assert authenticate(username=username, password="demo-pass") is not None, username
    counts = {}
    for company in Company.objects.filter(slug__in=["acme", "globex"]):
        with use_tenant(company):
            counts[company.slug] = Doctor.objects.count()
    assert counts == {"acme": 40, "globex": 25}

    call_command("seed_demo")
    assert "demo data already there" in capsys.readouterr().out
    for company in Company.objects.filter(slug__in=["acme", "globex"]):
        with use_tenant(company):
            assert Doctor.objects.count() == counts[company.slug]
