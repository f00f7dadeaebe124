"""Plan limits: what a plan caps (users, doctors, ...) and how much of it a company uses.

The apps that own what is limited register it (`register_limit`, from their AppConfig.ready), so
the platform's plan code never imports them: the subscription page and the services ask here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.functional import Promise

from subscription.models import Company, SubscriptionPlan


@dataclass(frozen=True)
class PlanLimit:
    """Something a plan caps: `plan_field` of SubscriptionPlan holds the cap (None: unlimited)."""

    key: str
    label: str | Promise
    plan_field: str
    in_use: Callable[[Company], int]
    # "%(plan)s" and "%(limit)d" are filled in.
    refusal: str | Promise


@dataclass(frozen=True)
class Usage:
    limit: PlanLimit
    in_use: int
    cap: int | None


_limits: dict[str, PlanLimit] = {}


def register_limit(limit: PlanLimit) -> None:
    _limits[limit.key] = limit


def plan_limits() -> list[PlanLimit]:
    return list(_limits.values())


def company_plan(company: Company) -> SubscriptionPlan | None:
    subscription = company.current_subscription()
    return subscription.plan if subscription else None


def usage(company: Company) -> list[Usage]:
    """Every registered limit with what the company uses of it (a company must be selected for tenant counts)."""
    plan = company_plan(company)
    return [
        Usage(limit, limit.in_use(company), getattr(plan, limit.plan_field) if plan else None)
        for limit in plan_limits()
    ]


def ensure_capacity(company: Company, key: str, *, adding: int = 1) -> None:
    """Raise ValidationError if `adding` more of `key` would pass the company's plan."""
    limit = _limits[key]
    plan = company_plan(company)
    cap = getattr(plan, limit.plan_field) if plan else None
    if cap is None:
        return
    if limit.in_use(company) + adding > cap:
        raise ValidationError(limit.refusal % {"plan": plan.name, "limit": cap}, code=f"{key}_limit")
