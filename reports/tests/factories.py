import datetime

import factory

from reports.models import Report


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    kind = Report.Kind.SALES_MONTH
    title = factory.Sequence(lambda n: f"Saved report {n}")
    period_start = datetime.date(2025, 1, 1)
    period_end = datetime.date(2025, 1, 31)
    columns = ["Month", "Amount"]
    rows = [["2025-01", 10.5]]
