"""Doctor codes the company does not type: its prefix and the next number, still editable, and never
the same code twice, even for doctors added at the same moment."""

import threading

import pytest
from django.urls import reverse

from doctors import services
from doctors.models import Doctor
from doctors.tests.factories import DoctorFactory
from regions.tests.factories import ClinicFactory, SpecializationFactory
from subscription.models import Company
from subscription.tenancy import close_tenant_connections, run_with_context, use_tenant

pytestmark = pytest.mark.django_db


def new_doctor_fields(**fields) -> dict:
    clinic = ClinicFactory()
    return {
        "last_name": "Həsənov",
        "first_name": "Anar",
        "specialization": SpecializationFactory(),
        "region": clinic.city.region,
        "city": clinic.city,
        "clinic": clinic,
        **fields,
    }


def form_data(**fields) -> dict:
    data = new_doctor_fields(**fields)
    return {name: getattr(value, "pk", value) for name, value in data.items()} | {"category": "B", "is_active": "on"}


def test_an_empty_code_gets_the_companys_next_one_and_a_typed_one_is_kept(acme, member, login):
    client = login(member("manager", acme))
    page = client.get(reverse("doctors:doctor-create")).text
    assert 'placeholder="D0001"' in page
    assert client.post(reverse("doctors:doctor-create"), form_data(code="")).status_code == 302
    assert client.post(reverse("doctors:doctor-create"), form_data(code="d0002")).status_code == 302  # typed
    assert client.post(reverse("doctors:doctor-create"), form_data(code="")).status_code == 302
    with use_tenant(acme):
        assert sorted(Doctor.objects.values_list("code", flat=True)) == ["D0001", "D0002", "D0003"]


def test_the_prefix_and_digits_are_the_companys_settings(acme, member):
    Company.objects.filter(pk=acme.pk).update(doctor_code_prefix="HK-", doctor_code_digits=3)
    acme.refresh_from_db()
    with use_tenant(acme):
        DoctorFactory(code="HK-001")  # made before codes were generated: skipped
        DoctorFactory(code="HK-7")  # not the company's pattern: no gap is kept for it
        made = [
            services.doctor_create(company=acme, created_by=member("manager", acme), **new_doctor_fields()).code
            for _n in range(2)
        ]
    assert made == ["HK-002", "HK-003"]


def test_an_edited_code_stays_and_a_taken_one_is_refused(acme, member, login):
    client = login(member("manager", acme))
    with use_tenant(acme):
        first, second = DoctorFactory(code="D0001"), DoctorFactory(code="D0002")
    form = client.get(reverse("doctors:doctor-update", args=[second.pk])).context["form"]
    assert form.fields["code"].required
    response = client.post(reverse("doctors:doctor-create"), form_data(code=first.code))
    assert response.status_code == 200
    assert "code" in response.context["form"].errors


def add_at_once(company, manager, workers: int) -> tuple[list[str], list[str]]:
    """`workers` threads add a doctor without a code at the same moment: (codes given, errors)."""
    barrier, codes, errors = threading.Barrier(workers), [], []
    fields = [new_doctor_fields() for _n in range(workers)]

    def add(index: int):
        try:
            barrier.wait(timeout=10)
            codes.append(services.doctor_create(company=company, created_by=manager, **fields[index]).code)
        except Exception as error:  # noqa: BLE001 - the test reports any failure of a thread
            errors.append(repr(error))
        finally:
            close_tenant_connections()

    with use_tenant(company):
        threads = [threading.Thread(target=run_with_context(add, index)) for index in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(codes), errors


@pytest.mark.django_db(transaction=True)  # committed master rows: the threads read the plan's limits
@pytest.mark.parametrize("workers", [2, 6])
def test_doctors_added_at_the_same_moment_get_different_codes(acme, member, workers):
    codes, errors = add_at_once(acme, member("manager", acme), workers)
    assert errors == []
    assert codes == [f"D{n:04d}" for n in range(1, workers + 1)]
    with use_tenant(acme):
        assert Doctor.objects.count() == workers


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_doctors_added_at_the_same_moment_get_different_codes_on_postgresql(on_postgres, company_factory, member):
    company = company_factory(name="Postgres Pharma")
    codes, errors = add_at_once(company, member("manager", company), 4)
    assert errors == []
    assert codes == ["D0001", "D0002", "D0003", "D0004"]
