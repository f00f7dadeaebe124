"""Demo targets (called by seed_demo): visit frequency per category and sales targets of this year."""

from __future__ import annotations

import datetime
import random

from django.contrib.auth.models import AbstractUser
from django.utils import timezone

from doctors.models import Territory
from reports.models import SalesTarget, VisitFrequency
from reports.selectors.periods import add_months
from reports.target_services import frequency_set, sales_target_create
from sales.models import Product
from subscription.models import Company


def seed_targets(*, company: Company, rep: AbstractUser, manager: AbstractUser) -> int:
    """Frequency defaults (A 4, B 2, C 1) and monthly sales targets per product for the representative
    and for the second territory, from January to next month. Does nothing if there are targets."""
    if SalesTarget.objects.exists() or VisitFrequency.objects.exists():
        return 0
    frequency_set(calls={"A": 4, "B": 2, "C": 1})
    rng = random.Random(f"{company.slug}-targets")
    today = timezone.localdate()
    month, last = datetime.date(today.year, 1, 1), add_months(today, 1)
    territory = Territory.objects.order_by("pk").last()
    products = list(Product.objects.order_by("code")[:4])
    made = 0
    while month <= last:
        for product in products:
            sales_target_create(
                company=company,
                created_by=manager,
                month=month,
                product=product,
                quantity=rng.randint(20, 80),
                representative=rep,
            )
            made += 1
            if territory is not None:
                sales_target_create(
                    company=company,
                    created_by=manager,
                    month=month,
                    product=product,
                    quantity=rng.randint(10, 40),
                    territory=territory,
                )
                made += 1
        month = add_months(month, 1)
    return made
