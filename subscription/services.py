"""Writes on the platform's data."""

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from subscription.limits import ensure_capacity
from subscription.models import Company, Subscription, SubscriptionPlan, UserProfile
from subscription.provisioning import ProvisioningError, database_code_taken, tenant_database_create
from subscription.tenancy import validate_slug


def company_create(
    *,
    name: str,
    slug: str,
    plan: SubscriptionPlan,
    status: str = Subscription.Status.TRIAL,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    server: str | None = None,
    **fields,
) -> Company:
    """Create a company with its subscription, then its database (provisioning.py's steps).

    The company row and subscription are committed first, as "provisioning"; if building the database
    fails, the error is raised and `manage.py create_tenant_db SLUG` finishes the company later.
    `server` names the database server (subscription/scaleout/placement.py chooses when None).
    Raises ValidationError for a bad or taken slug, ProvisioningError if a database of that code exists.
    """
    validate_slug(slug)
    company = Company(name=name, slug=slug, lifecycle=Company.Lifecycle.PROVISIONING, **fields)
    company.full_clean()
    if database_code_taken(slug):
        raise ProvisioningError(_("A database for “%(slug)s” already exists; choose another code.") % {"slug": slug})
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
    # Outside the master transaction: no master lock is held while the database is built, and a
    # failure leaves a company that says it is being set up rather than a database nobody owns.
    tenant_database_create(company, server=server)
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


# --- Company settings (the owner's pages) --------------------------------------------------------
PROFILE_FIELDS = ("name", "contact_name", "contact_email", "contact_phone", "address", "tax_id")
SETTING_FIELDS = ("currency_display", "owner_approval_above", "doctor_code_prefix", "doctor_code_digits")


def company_profile_update(
    *,
    company: Company,
    name: str,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    address: str = "",
    tax_id: str = "",
    **company_settings: Any,
) -> Company:
    """Change a company's name, contacts, address, tax ID and the SETTING_FIELDS given (never its code).

    Raises ValidationError for an invalid value.
    """
    unknown = set(company_settings) - set(SETTING_FIELDS)
    if unknown:
        raise TypeError(f"Company has no setting(s) {', '.join(sorted(unknown))}.")
    values = dict(
        name=name,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
        address=address,
        tax_id=tax_id,
    )
    for field, value in values.items():
        setattr(company, field, value.strip())
    for field, value in company_settings.items():
        setattr(company, field, value.strip() if isinstance(value, str) else value)
    company.full_clean()
    company.save(update_fields=[*PROFILE_FIELDS, *company_settings])
    return company


def _locked(company: Company) -> Company:
    """Lock the company row for the transaction, so that user-limit checks of one company queue up."""
    return Company.objects.select_for_update().get(pk=company.pk)


def _profile_in(company: Company, user: AbstractUser) -> UserProfile:
    profile = UserProfile.objects.select_related("user").filter(user=user, company=company).first()
    if profile is None:
        raise ValidationError(_("This user is not a member of the company."), code="other_company")
    return profile


def _ensure_another_active_owner(company: Company, user: AbstractUser, message: str) -> None:
    others = company.profiles.filter(role=UserProfile.Role.OWNER, user__is_active=True).exclude(user=user)
    if not others.exists():
        raise ValidationError(message, code="last_owner")


def company_user_create(
    *,
    company: Company,
    username: str,
    password: str,
    role: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    language: str = "az",
) -> AbstractUser:
    """Add an active user to the company within its plan's user limit.

    Raises ValidationError for a full plan, a taken or invalid username, a weak password or an unknown role.
    """
    if role not in UserProfile.Role.values:
        raise ValidationError(_("Choose one of the roles."), code="invalid_role")
    candidate = get_user_model()(username=username, email=email, first_name=first_name, last_name=last_name)
    candidate.full_clean(exclude=["password"])
    validate_password(password, candidate)
    with transaction.atomic():
        ensure_capacity(_locked(company), "users")
        return user_create(
            username=username,
            password=password,
            company=company,
            role=role,
            email=email,
            first_name=first_name,
            last_name=last_name,
            language=language,
        )


def company_user_set_role(*, company: Company, user: AbstractUser, role: str) -> UserProfile:
    """Change a member's role. Raises ValidationError for an unknown role or when it would leave no active owner."""
    if role not in UserProfile.Role.values:
        raise ValidationError(_("Choose one of the roles."), code="invalid_role")
    with transaction.atomic():
        _locked(company)
        profile = _profile_in(company, user)
        if profile.role == UserProfile.Role.OWNER and role != UserProfile.Role.OWNER and user.is_active:
            _ensure_another_active_owner(
                company,
                user,
                _("This is the company's last active owner. Make another user an owner first."),
            )
        profile.role = role
        profile.full_clean()
        profile.save(update_fields=["role"])
    return profile


def company_user_deactivate(*, company: Company, user: AbstractUser, by: AbstractUser) -> AbstractUser:
    """Stop a member from logging in (their records stay). Raises ValidationError for oneself or the last owner."""
    if user.pk == by.pk:
        raise ValidationError(_("You cannot deactivate your own account."), code="self")
    with transaction.atomic():
        _locked(company)
        profile = _profile_in(company, user)
        if profile.role == UserProfile.Role.OWNER:
            _ensure_another_active_owner(
                company,
                user,
                _(
                    "This is the company's last active owner and cannot be deactivated. Make another user an owner first."
                ),
            )
        user.is_active = False
        user.save(update_fields=["is_active"])
    return user


def company_user_set_password(*, company: Company, user: AbstractUser, password: str, by: AbstractUser) -> AbstractUser:
    """Give a member a new password (their open sessions end). Raises ValidationError for oneself or a weak password."""
    if user.pk == by.pk:
        raise ValidationError(
            _("Change your own password on the “Change password” page: it asks for the current one."), code="self"
        )
    _profile_in(company, user)
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def company_user_reactivate(*, company: Company, user: AbstractUser) -> AbstractUser:
    """Let a deactivated member log in again. Raises ValidationError when the plan's user limit is reached."""
    with transaction.atomic():
        _profile_in(company, user)
        if not user.is_active:
            ensure_capacity(_locked(company), "users")
            user.is_active = True
            user.save(update_fields=["is_active"])
    return user


__all__ = [
    "ProvisioningError",
    "company_create",
    "company_profile_update",
    "company_user_create",
    "company_user_deactivate",
    "company_user_reactivate",
    "company_user_set_password",
    "company_user_set_role",
    "user_create",
]
