"""Reads of the platform's data that company pages share."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db.models import Q, QuerySet

from subscription.models import Company
from subscription.ui.aztext import az_ordered


def company_users(company: Company, *, active_only: bool = False, current: int | None = None) -> QuerySet:
    """The company's users (master database), by name in Azerbaijani order.

    `active_only`: the active ones, plus `current` (the user already chosen on a record).
    """
    users = get_user_model().objects.filter(profile__company=company)
    if active_only:
        users = users.filter(Q(is_active=True) | Q(pk=current)) if current else users.filter(is_active=True)
    return users.order_by(az_ordered("first_name"), az_ordered("last_name"), "username")


def user_label(user: AbstractUser | None) -> str:
    """How a user is named on pages and in exports."""
    if user is None:
        return ""
    return user.get_full_name() or user.username
