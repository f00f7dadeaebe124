"""Writes on the platform's data."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import transaction

from subscription.models import Company, Subscription, SubscriptionPlan, UserProfile
from subscription.provisioning import ProvisioningError, tenant_database_create, tenant_database_exists
from subscription.tenancy import validate_slug


def company_create(
    *,
    name: str,
    slug: str,
    plan: SubscriptionPlan,
    status: str = Subscription.Status.TRIAL,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    **fields,
) -> Company:
    """Create a company, its subscription and its database, all or nothing.

    Raises ValidationError for a bad or taken slug, ProvisioningError if its database exists.
    """
    validate_slug(slug)
    company = Company(name=name, slug=slug, **fields)
    company.full_clean()
    if tenant_database_exists(slug):
        raise ProvisioningError(f"A database for “{slug}” already exists; choose another code.")
    with transaction.atomic():
        company.save()
        subscription = Subscription(
            company=company,
            plan=plan,
            status=status,
            starts_on=starts_on or datetime.date.today(),
            ends_on=ends_on,
        )
        subscription.full_clean()
        subscription.save()
        tenant_database_create(company)
    return company


def user_create(
    *,
    username: str,
    password: str,
    company: Company | None,
    role: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    language: str = "az",
) -> AbstractUser:
    """Create a user with a profile in `company` (or platform staff when company is None)."""
    user = get_user_model().objects.create_user(
        username=username, password=password, email=email, first_name=first_name, last_name=last_name
    )
    profile = UserProfile(user=user, company=company, role=role, language=language)
    profile.full_clean()
    profile.save()
    return user


__all__ = ["company_create", "user_create", "ProvisioningError"]
