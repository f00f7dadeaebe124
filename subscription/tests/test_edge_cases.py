"""Edge cases found in review: each once gave a wrong answer or a 500."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from doctors.tests.factories import DoctorFactory
from sales.models import Sale
from sales.tests.factories import ProductFactory
from subscription.access import company_access
from subscription.models import Subscription
from subscription.tenancy import use_tenant

pytestmark = pytest.mark.django_db


def test_a_renewal_dated_in_the_future_does_not_decide_todays_access(acme):
    Subscription.objects.create(
        company=acme,
        plan=acme.current_subscription().plan,
        status=Subscription.Status.PAST_DUE,
        starts_on=datetime.date.today() + datetime.timedelta(days=30),
    )
    assert company_access(acme) == "full"


def test_a_read_only_company_can_still_export_its_lists(acme, client_for):
    subscription = acme.current_subscription()
    subscription.status = Subscription.Status.PAST_DUE
    subscription.ends_on = datetime.date.today() - datetime.timedelta(days=1)
    subscription.save()
    with use_tenant(acme):
        DoctorFactory(code="RO-1")
    response = client_for("manager", acme).get("/doctors/?export=csv")
    assert response.status_code == 200
    assert "RO-1" in b"".join(response.streaming_content).decode()


def test_a_representative_sees_only_their_own_sales_of_a_product(acme, member, client):
    rep, other = member("representative", acme), member("representative", acme)
    with use_tenant(acme):
        product = ProductFactory(price=Decimal("10"))
        for seller, quantity in ((rep, 3), (other, 500)):
            Sale.objects.create(
                date=datetime.date.today(),
                product=product,
                quantity=quantity,
                unit_price=Decimal("10"),
                representative=seller,
            )
    client.force_login(rep)
    summary = client.get(f"/sales/products/{product.pk}/").context["summary"]
    assert (summary["lines"], summary["quantity"]) == (1, 3)


@pytest.mark.parametrize("period", [("9999-12-25", "9999-12-31"), ("0001-01-01", "0001-01-31")])
@pytest.mark.parametrize("report", ["coverage", "visits_plan", "sales_month"])
def test_report_dates_at_the_edges_of_the_calendar_are_a_form_error(report, period, acme, client_for):
    response = client_for("manager", acme).get(f"/reports/{report}/", {"date_from": period[0], "date_to": period[1]})
    assert response.status_code in (200, 400)
    assert "between the years 1900 and 2999" in response.text


@pytest.mark.parametrize("url", ["/sales/?region=9{}", "/doctors/?city=9{}", "/reference/cities/?region=9{}"])
def test_ids_too_large_for_a_database_are_ignored(url, acme, client_for):
    response = client_for("manager", acme).get(url.format("9" * 30))
    assert response.status_code == 200


def test_an_import_with_a_huge_cell_or_number_is_a_clear_error(acme, client_for):
    client = client_for("manager", acme)
    with use_tenant(acme):
        ProductFactory(code="P1")
    header = "date,product_code,quantity,unit_price\n"
    huge_cell = SimpleUploadedFile("sales.csv", (header + '2025-01-01,P1,1,"' + "x" * 200_000 + '"\n').encode())
    response = client.post("/sales/import/", {"file": huge_cell})
    assert response.status_code in (200, 400)
    assert "cannot be read" in response.text
    absurd = SimpleUploadedFile("sales.csv", io.BytesIO((header + "2025-01-01,P1,1,9e999999\n").encode()).getvalue())
    response = client.post("/sales/import/", {"file": absurd})
    assert response.status_code == 400
    assert "unit_price" in response.text
    with use_tenant(acme):
        assert not Sale.objects.exists()
