import pytest
from django.apps import apps

from doctors.tests.factories import DoctorFactory
from regions.tests.factories import RegionFactory
from subscription.db_router import TenantRouter
from subscription.tenancy import MASTER_APPS, TENANT_APPS, NoTenantSelected, WrongTenant, tenant_alias, use_tenant

pytestmark = pytest.mark.django_db
router = TenantRouter()
MASTER_MODELS = [m for m in apps.get_models() if m._meta.app_label in MASTER_APPS]
TENANT_MODELS = [m for m in apps.get_models() if m._meta.app_label in TENANT_APPS]


def test_every_model_belongs_to_master_or_tenant_apps():
    labels = {m._meta.app_label for m in apps.get_models()}
    assert labels <= MASTER_APPS | TENANT_APPS
    assert {"doctors", "patients", "appointments", "sales", "payments", "reports"} <= labels


@pytest.mark.parametrize("model", MASTER_MODELS, ids=lambda m: m._meta.label)
def test_master_models_go_to_default_with_or_without_a_company(model, acme):
    assert router.db_for_read(model) == "default"
    assert router.db_for_write(model) == "default"
    with use_tenant(acme):
        assert router.db_for_read(model) == "default"
        assert router.db_for_write(model) == "default"


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m._meta.label)
def test_tenant_models_go_to_the_selected_company(model, acme, globex):
    for company in (acme, globex):
        with use_tenant(company):
            assert router.db_for_read(model) == f"tenant_{company.slug}"
            assert router.db_for_write(model) == f"tenant_{company.slug}"
    with pytest.raises(NoTenantSelected):
        router.db_for_read(model)
    with pytest.raises(NoTenantSelected):
        router.db_for_write(model)


@pytest.mark.parametrize("app_label", sorted(MASTER_APPS))
def test_master_apps_migrate_on_default_only(app_label, acme):
    assert router.allow_migrate("default", app_label) is True
    assert router.allow_migrate(tenant_alias(acme.slug), app_label) is False


@pytest.mark.parametrize("app_label", sorted(TENANT_APPS))
def test_tenant_apps_migrate_on_tenant_databases_only(app_label, acme):
    assert router.allow_migrate("default", app_label) is False
    assert router.allow_migrate(tenant_alias(acme.slug), app_label) is True
    # Recognised by name, registered or not (the guard never depends on the registry); others never.
    assert router.allow_migrate("tenant_never-registered", app_label) is True
    assert router.allow_migrate("replica", app_label) is False


def test_allow_relation_matrix(acme, globex):
    region_a, region_b = RegionFactory(), RegionFactory()
    with use_tenant(acme):
        doctor_a1, doctor_a2 = DoctorFactory(), DoctorFactory()
    with use_tenant(globex):
        doctor_b = DoctorFactory()
    assert router.allow_relation(region_a, region_b) is True  # master <-> master
    assert router.allow_relation(doctor_a1, doctor_a2) is True  # same company
    assert router.allow_relation(doctor_a1, region_a) is True  # tenant -> master
    assert router.allow_relation(region_a, doctor_a1) is True
    with pytest.raises(WrongTenant, match="cannot be related"):  # two companies
        router.allow_relation(doctor_a1, doctor_b)


def test_relating_objects_of_two_companies_is_refused(acme, globex):
    from patients.models import Patient

    with use_tenant(acme):
        doctor_a = DoctorFactory()
    with use_tenant(globex):
        patient = Patient.objects.create(last_name="Q", first_name="N")
        with pytest.raises(WrongTenant, match="cannot be related"):
            patient.doctor = doctor_a
