"""Adding, changing and deleting doctors through their pages."""

import pytest
from django.urls import reverse

from doctors.models import Doctor
from doctors.tests.factories import DoctorFactory, payment_to, sale_of, visit_of
from regions.tests.factories import ClinicFactory, SpecializationFactory
from subscription.tenancy import use_tenant
from subscription.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db

ADD = "/doctors/add/"


def form_data(place_clinic, specialization, /, **overrides) -> dict:
    data = {
        "code": "d-100",
        "last_name": "Hüseynova",
        "first_name": "Günel",
        "patronymic": "Əli qızı",
        "specialization": specialization.pk,
        "category": "A",
        "region": place_clinic.city.region_id,
        "city": place_clinic.city_id,
        "clinic": place_clinic.pk,
        "mobile_phone": "050 123 45 67",
        "email": "gunel@example.az",
        "is_active": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def place():
    return ClinicFactory(name_az="Respublika Klinik Xəstəxanası"), SpecializationFactory(name_az="Nevroloq")


def test_it_adds_a_doctor_and_records_who_added_it(client, member, acme, place):
    manager = member("manager", acme)
    client.force_login(manager)
    response = client.post(ADD, form_data(*place, representative=manager.pk))
    with use_tenant(acme):
        doctor = Doctor.objects.get()
    assert response.status_code == 302
    assert response.url == f"/doctors/{doctor.pk}/"
    assert (doctor.code, doctor.mobile_phone, doctor.created_by, doctor.representative) == (
        "D-100",
        "+994 50 123 45 67",
        manager,
        manager,
    )
    page = client.get(response.url)
    assert "Hüseynova Günel Əli qızı" in page.text
    assert "Respublika Klinik Xəstəxanası" in page.text
    assert "added" in page.text.lower()


def test_it_shows_a_wrong_phone_number_next_to_the_field(client_for, acme, place):
    response = client_for("manager", acme).post(ADD, form_data(*place, mobile_phone="12345"))
    assert response.status_code == 200
    assert "Enter an Azerbaijani number" in response.text
    assert "is-invalid" in response.text
    with use_tenant(acme):
        assert not Doctor.objects.exists()


def test_a_posted_clinic_outside_the_posted_city_is_a_form_error(client_for, acme, place):
    elsewhere = ClinicFactory(name_az="Uzaq klinika")
    response = client_for("manager", acme).post(ADD, form_data(*place, clinic=elsewhere.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["clinic"]
    with use_tenant(acme):
        assert not Doctor.objects.exists()


def test_without_javascript_refresh_narrows_the_choices_and_saves_nothing(client_for, acme, place):
    clinic, specialization = place
    other_city_clinic = ClinicFactory(city__region=clinic.city.region)
    data = form_data(clinic, specialization, city=None, clinic=None, _refresh="1")
    response = client_for("manager", acme).post(ADD, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.errors
    assert set(form.fields["city"].queryset) == {clinic.city, other_city_clinic.city}
    assert "Refresh choices" in response.text
    with use_tenant(acme):
        assert not Doctor.objects.exists()


def test_it_offers_active_specializations_in_azerbaijani_order_and_keeps_a_retired_one(client_for, acme):
    for name in ["Uroloq", "Çərrah", "Cərrah", "Ürək cərrahı"]:
        SpecializationFactory(name_az=name)
    retired = SpecializationFactory(name_az="Köhnə ixtisas", is_active=False)
    client = client_for("manager", acme)
    offered = [str(s) for s in client.get(ADD).context["form"].fields["specialization"].queryset]
    assert offered == ["Cərrah", "Çərrah", "Uroloq", "Ürək cərrahı"]
    with use_tenant(acme):
        doctor = DoctorFactory(specialization=retired)
    offered = client.get(f"/doctors/{doctor.pk}/edit/").context["form"].fields["specialization"].queryset
    assert retired in offered


def test_it_offers_only_the_companys_active_users_as_representatives(client_for, member, acme, globex, place):
    ours = member("representative", acme, first_name="Bizim")
    member("representative", acme, first_name="Getmiş", is_active=False)
    theirs = member("representative", globex, first_name="Onların")
    client = client_for("manager", acme)
    offered = {user.first_name for user in client.get(ADD).context["form"].fields["representative"].queryset}
    assert "Bizim" in offered and "Getmiş" not in offered and "Onların" not in offered
    response = client.post(ADD, form_data(*place, representative=theirs.pk))
    assert response.context["form"].errors["representative"]
    assert client.post(ADD, form_data(*place, representative=ours.pk)).status_code == 302


def test_it_refuses_a_code_the_company_already_uses(client_for, acme, place):
    with use_tenant(acme):
        DoctorFactory(code="D-100")
    response = client_for("manager", acme).post(ADD, form_data(*place))
    assert response.context["form"].errors["code"]


def test_it_refuses_the_doctor_past_the_plans_limit_with_a_message(client_for, company_factory, place):
    company = company_factory(plan=PlanFactory(code="tiny", name="Tiny", max_doctors=2))
    with use_tenant(company):
        DoctorFactory.create_batch(2)
    response = client_for("manager", company).post(ADD, form_data(*place))
    assert response.status_code == 200
    assert "The Tiny plan allows 2 active doctors" in response.text
    with use_tenant(company):
        assert Doctor.objects.count() == 2


def test_an_inactive_doctor_does_not_count_against_the_limit(client_for, company_factory, place):
    company = company_factory(plan=PlanFactory(code="tiny", name="Tiny", max_doctors=2))
    with use_tenant(company):
        DoctorFactory()
        DoctorFactory(is_active=False)
    assert client_for("manager", company).post(ADD, form_data(*place)).status_code == 302


def test_it_refuses_to_make_a_doctor_active_again_past_the_limit(client_for, company_factory, place):
    company = company_factory(plan=PlanFactory(code="tiny", name="Tiny", max_doctors=2))
    with use_tenant(company):
        DoctorFactory.create_batch(2)
        sleeping = DoctorFactory(is_active=False, clinic=place[0], specialization=place[1])
    data = form_data(*place, code=sleeping.code, last_name="Oyanmış")
    response = client_for("manager", company).post(f"/doctors/{sleeping.pk}/edit/", data)
    assert "The Tiny plan allows 2 active doctors" in response.text
    with use_tenant(company):
        assert Doctor.objects.filter(pk=sleeping.pk, is_active=False).exclude(last_name="Oyanmış").exists()


def test_it_saves_changes_and_records_who_made_them(client, member, acme, place):
    with use_tenant(acme):
        doctor = DoctorFactory(code="D-100")
    owner = member("owner", acme, first_name="Nigar", last_name="Sahibova")
    client.force_login(owner)
    response = client.post(f"/doctors/{doctor.pk}/edit/", form_data(*place, last_name="Yeni", is_kol="on"))
    assert response.status_code == 302
    with use_tenant(acme):
        doctor.refresh_from_db()
    assert (doctor.last_name, doctor.is_kol, doctor.updated_by) == ("Yeni", True, owner)
    assert "Nigar Sahibova" in client.get(response.url).text


def test_deleting_a_doctor_with_a_visit_deactivates_it(client, member, acme):
    manager = member("manager", acme)
    with use_tenant(acme):
        doctor = DoctorFactory()
        visit_of(doctor, staff=manager)
    client.force_login(manager)
    confirm = client.get(f"/doctors/{doctor.pk}/delete/")
    assert "deactivated instead of deleted" in confirm.text
    response = client.post(f"/doctors/{doctor.pk}/delete/", follow=True)
    assert "deactivated instead of deleted" in response.text
    with use_tenant(acme):
        doctor.refresh_from_db()
    assert doctor.is_active is False
    assert doctor.updated_by == manager


@pytest.mark.parametrize("history", [sale_of, payment_to])
def test_deleting_a_doctor_with_sales_or_payments_deactivates_it(client_for, acme, history):
    with use_tenant(acme):
        doctor = DoctorFactory()
        history(doctor)
    client_for("owner", acme).post(f"/doctors/{doctor.pk}/delete/")
    with use_tenant(acme):
        assert Doctor.objects.get(pk=doctor.pk).is_active is False


def test_deleting_a_doctor_without_history_deletes_it(client_for, acme):
    with use_tenant(acme):
        doctor = DoctorFactory(last_name="Silinən")
    client = client_for("manager", acme)
    assert "deleted for good" in client.get(f"/doctors/{doctor.pk}/delete/").text
    response = client.post(f"/doctors/{doctor.pk}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("doctors:doctor-list")
    assert "Silinən" in response.text  # the message names who was deleted
    with use_tenant(acme):
        assert not Doctor.objects.filter(pk=doctor.pk).exists()


def test_the_detail_page_links_the_doctors_visits_sales_and_payments(client_for, member, acme):
    rep = member("representative", acme, first_name="Tural", last_name="Rəhimov")
    with use_tenant(acme):
        doctor = DoctorFactory()
        visit = visit_of(doctor, staff=rep)
        sale = sale_of(doctor, representative=rep)
        payment = payment_to(doctor)
    response = client_for("manager", acme).get(f"/doctors/{doctor.pk}/")
    for link in (f"/appointments/{visit.pk}/", f"/sales/{sale.pk}/", f"/payments/{payment.pk}/"):
        assert f'href="{link}"' in response.text
    assert "Tural Rəhimov" in response.text


def test_a_representative_sees_own_visits_and_no_payments_on_the_detail_page(client, member, acme):
    rep, colleague = member("representative", acme), member("representative", acme)
    with use_tenant(acme):
        doctor = DoctorFactory()
        mine, theirs = visit_of(doctor, staff=rep), visit_of(doctor, staff=colleague)
        payment = payment_to(doctor)
    client.force_login(rep)
    response = client.get(f"/doctors/{doctor.pk}/")
    assert f"/appointments/{mine.pk}/" in response.text
    assert f"/appointments/{theirs.pk}/" not in response.text
    assert f"/payments/{payment.pk}/" not in response.text


def test_choosing_a_region_or_city_fetches_the_next_choices_with_htmx(client_for, acme):
    page = client_for("manager", acme).get(ADD).text
    assert 'hx-get="/reference/cities/" hx-target="#id_city"' in page
    assert 'hx-get="/reference/clinics/" hx-target="#id_clinic"' in page
    assert 'name="_refresh"' in page  # the button for browsers without JavaScript
