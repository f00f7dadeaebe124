import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from reports.models import Report, SalesTarget, VisitFrequency
from sales.tests.factories import ProductFactory


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    kind = Report.Kind.SALES_MONTH
    title = factory.Sequence(lambda n: f"Saved report {n}")
    period_start = datetime.date(2025, 1, 1)
    period_end = datetime.date(2025, 1, 31)
    columns = ["Month", "Amount"]
    rows = [["2025-01", 10.5]]


class VisitFrequencyFactory(factory.django.DjangoModelFactory):
    """The company's default calls a month for a category (month=None)."""

    class Meta:
        model = VisitFrequency

    category = "A"
    month = None
    calls = 4


class SalesTargetFactory(factory.django.DjangoModelFactory):
    """A representative's target for this month (give `representative=` or `territory=`)."""

    class Meta:
        model = SalesTarget

    month = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    product = factory.SubFactory(ProductFactory)
    quantity = 10
    amount = Decimal("125.00")
