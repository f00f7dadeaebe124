"""Sample stock: issued by managers, given at calls, never below zero, even when two calls race."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sales.models import SampleMovement, SampleStock
from sales.sample_services import sample_give, sample_issue
from sales.tests.factories import ProductFactory, SampleStockFactory
from subscription.tenancy import close_tenant_connections, run_with_context, use_tenant

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def issue(company, manager, rep, *, quantity=10, lot="L1", expiry=None, product=None):
    with use_tenant(company):
        return sample_issue(
            company=company,
            by=manager,
            representative=rep,
            product=product or ProductFactory(),
            lot=lot,
            expiry=expiry or TODAY() + datetime.timedelta(days=90),
            quantity=quantity,
        )


def test_a_manager_issues_samples_and_the_stock_adds_up(acme, member):
    manager, rep = member("manager", acme), member("representative", acme)
    stock = issue(acme, manager, rep, quantity=10)
    with use_tenant(acme):
        product = stock.product
    again = issue(acme, manager, rep, quantity=5, lot="L1", product=product)
    assert again.pk == stock.pk and again.quantity == 15
    with use_tenant(acme):
        assert list(SampleMovement.objects.order_by("pk").values_list("kind", "quantity")) == [
            ("issued", 10),
            ("issued", 5),
        ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"expiry": datetime.date(2000, 1, 1)}, "expiry"),
        ({"lot": "  "}, "lot"),
    ],
)
def test_bad_issues_change_nothing(acme, member, change, field):
    manager, rep = member("manager", acme), member("representative", acme)
    arguments = {"quantity": 5, "lot": "L1", "expiry": TODAY() + datetime.timedelta(days=30), **change}
    with pytest.raises(ValidationError) as error:
        issue(acme, manager, rep, **arguments)
    assert field in error.value.message_dict
    with use_tenant(acme):
        assert not SampleStock.objects.filter(quantity__gt=0).exists()


def test_samples_go_only_to_the_companys_representatives(acme, globex, member):
    manager = member("manager", acme)
    for someone in (member("representative", globex), member("viewer", acme)):
        with pytest.raises(ValidationError):
            issue(acme, manager, someone)


def test_giving_takes_from_the_stock_and_never_below_zero(acme, member):
    rep = member("representative", acme)
    with use_tenant(acme):
        stock = SampleStockFactory(representative=rep, quantity=3)
        sample_give(stock=stock, quantity=2, by=rep, on=TODAY())
        with pytest.raises(ValidationError, match="Only 1 samples"):
            sample_give(stock=stock, quantity=2, by=rep, on=TODAY())
        stock.refresh_from_db()
        assert stock.quantity == 1
        assert list(SampleMovement.objects.values_list("kind", "quantity")) == [("given", -2)]


def test_an_expired_lot_cannot_be_given(acme, member):
    rep = member("representative", acme)
    with use_tenant(acme):
        stock = SampleStockFactory(representative=rep, expiry=TODAY() - datetime.timedelta(days=1))
        with pytest.raises(ValidationError, match="expired"):
            sample_give(stock=stock, quantity=1, by=rep, on=TODAY())


def race_for_the_last_units(company, stock, rep, *, workers=2, each=5):
    """`workers` threads give `each` samples of the stock at the same moment; returns their outcomes."""
    barrier, outcomes = threading.Barrier(workers), []

    def give():
        try:
            barrier.wait(timeout=10)
            sample_give(stock=stock, quantity=each, by=rep, on=TODAY())
            outcomes.append("given")
        except ValidationError:
            outcomes.append("refused")
        finally:
            close_tenant_connections()

    with use_tenant(company):
        threads = [threading.Thread(target=run_with_context(give)) for _n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def test_two_concurrent_calls_for_the_last_units_one_succeeds(acme, member):
    rep = member("representative", acme)
    with use_tenant(acme):
        stock = SampleStockFactory(representative=rep, quantity=5)
    assert race_for_the_last_units(acme, stock, rep) == ["given", "refused"]
    with use_tenant(acme):
        stock.refresh_from_db()
        assert stock.quantity == 0
        assert SampleMovement.objects.filter(kind="given").count() == 1


@pytest.mark.postgres
def test_two_concurrent_calls_for_the_last_units_one_succeeds_on_postgresql(on_postgres, company_factory, member):
    company = company_factory(name="Postgres Pharma")
    rep = member("representative", company)
    with use_tenant(company):
        stock = SampleStockFactory(representative=rep, quantity=5)
    assert race_for_the_last_units(company, stock, rep) == ["given", "refused"]
    with use_tenant(company):
        stock.refresh_from_db()
        assert stock.quantity == 0


def test_the_issue_page_is_for_managers_and_lists_stock_per_representative(acme, globex, member, login):
    manager, rep = member("manager", acme), member("representative", acme)
    with use_tenant(acme):
        product = ProductFactory(name="Neyrovit")
    url = reverse("sales:sample-issue")
    posted = {
        "representative": rep.pk,
        "product": product.pk,
        "lot": "N-77",
        "expiry": (TODAY() + datetime.timedelta(days=60)).isoformat(),
        "quantity": 12,
    }
    assert login(rep).post(url, posted).status_code == 403
    assert login(manager).post(url, posted).status_code == 302
    stock_page = login(rep).get(reverse("sales:sample-stock")).text
    assert "N-77" in stock_page and 'class="text-end fw-semibold on-hand">12<' in stock_page
    assert "N-77" not in login(member("manager", globex)).get(reverse("sales:sample-stock")).text


def test_a_representative_sees_only_their_own_stock(acme, member, login):
    rep, colleague = member("representative", acme), member("representative", acme)
    with use_tenant(acme):
        SampleStockFactory(representative=rep, lot="MINE-1")
        SampleStockFactory(representative=colleague, lot="THEIRS-1")
    page = login(rep).get(reverse("sales:sample-stock")).text
    assert "MINE-1" in page and "THEIRS-1" not in page
    manager_page = login(member("manager", acme)).get(reverse("sales:sample-stock")).text
    assert "MINE-1" in manager_page and "THEIRS-1" in manager_page
