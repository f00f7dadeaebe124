"""The plan's limits on users and doctors."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from subscription.models import Company, SubscriptionPlan


def company_plan(company: Company) -> SubscriptionPlan | None:
    subscription = company.current_subscription()
    return subscription.plan if subscription else None


def ensure_doctor_capacity(company: Company, *, adding: int = 1) -> None:
    """Raise ValidationError if `adding` more doctors would pass the plan's limit."""
    from doctors.models import Doctor

    plan = company_plan(company)
    if plan is None or plan.max_doctors is None:
        return
    if Doctor.objects.filter(is_active=True).count() + adding > plan.max_doctors:
        raise ValidationError(
            _(
                "The %(plan)s plan allows %(limit)d active doctors and the company has reached it. "
                "Deactivate doctors you no longer work with, or ask about a larger plan."
            )
            % {"plan": plan.name, "limit": plan.max_doctors},
            code="doctor_limit",
        )


def ensure_user_capacity(company: Company, *, adding: int = 1) -> None:
    """Raise ValidationError if `adding` more active users would pass the plan's limit."""
    plan = company_plan(company)
    if plan is None or plan.max_users is None:
        return
    active = company.profiles.filter(user__is_active=True).count()
    if active + adding > plan.max_users:
        raise ValidationError(
            _(
                "The %(plan)s plan allows %(limit)d active users and the company has reached it. "
                "Deactivate a user first, or ask about a larger plan."
            )
            % {"plan": plan.name, "limit": plan.max_users},
            code="user_limit",
        )
