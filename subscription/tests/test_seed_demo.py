import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from appointments.models import Appointment, CallSample, MonthlyPlan
from doctors.models import Doctor, Territory
from doctors.territories import own_doctors_q
from reports.models import SalesTarget
from sales.models import ImportBatch, Pharmacy, SampleStock
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

    field = {
        company.slug: field_force_counts(company) for company in Company.objects.filter(slug__in=["acme", "globex"])
    }
    for slug, figures in field.items():
        assert figures["territories"] == 2, slug
        assert 0 < figures["rep_doctors"] < counts[slug], slug  # the territory covers part of the doctors
        assert figures["stock"] > 0 and figures["given"] > 0, slug
        assert figures["plans"] == ["approved", "submitted"], slug
        assert figures["targets"] > 0 and figures["pharmacies"] > 0 and figures["reports"] > 0, slug
        assert figures["imports"] == [5], slug

    call_command("seed_demo")
    assert "demo data already there" in capsys.readouterr().out
    for company in Company.objects.filter(slug__in=["acme", "globex"]):
        with use_tenant(company):
            assert Doctor.objects.count() == counts[company.slug]
        assert field_force_counts(company) == field[company.slug]


def field_force_counts(company) -> dict:
    rep = get_user_model().objects.get(username=f"{company.slug}_rep")
    with use_tenant(company):
        return {
            "territories": Territory.objects.count(),
            "rep_doctors": Doctor.objects.filter(own_doctors_q(rep.pk)).count(),
            "stock": SampleStock.objects.filter(representative_id=rep.pk).count(),
            "given": CallSample.objects.count(),
            "plans": sorted(MonthlyPlan.objects.values_list("status", flat=True)),
            "targets": SalesTarget.objects.count(),
            "pharmacies": Pharmacy.objects.count(),
            "reports": Appointment.objects.exclude(reported_at=None).count(),
            "imports": list(ImportBatch.objects.values_list("rows", flat=True)),
        }
