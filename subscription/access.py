"""The access policy: which company a request uses, and what it may do there.

One module decides: the tenant middleware asks it for every request, the master admin asks it
before a superuser enters a company. Access is one of the words below; only FULL allows writes.
"""

from __future__ import annotations

import datetime
from typing import Protocol

from django.utils import timezone

from subscription.models import Company, UserProfile, attach_current_subscription, current_subscription_columns
from subscription.schema import tenant_migration_key

FULL = "full"
READ_ONLY = "read_only"
BLOCKED = "blocked"
INACTIVE = "inactive"
ARCHIVED = "archived"
PROVISIONING = "provisioning"
MAINTENANCE = "maintenance"
# A superuser inside a company may read it even when its own users are refused, never write to it then.
REFUSED_TO_USERS_READABLE_BY_SUPERUSERS = (INACTIVE, BLOCKED)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
RECOVERING = "recover"  # Company.lifecycle_pending while a backup is restored into place
MOVING = "move"  # Company.lifecycle_pending while its database is moved to another server


class Impersonation(Protocol):
    """What the policy needs of a superuser's session inside a company (master_admin keeps them)."""

    company: Company
    read_only: bool
    ended_at: datetime.datetime | None
    expires_at: datetime.datetime


def company_access(company: Company) -> str:
    """FULL, READ_ONLY, BLOCKED, INACTIVE, ARCHIVED, PROVISIONING or MAINTENANCE for the company's users."""
    if company.lifecycle == Company.Lifecycle.PROVISIONING:
        return PROVISIONING
    if not company.has_live_database:
        return ARCHIVED
    if not company.is_active or company.lifecycle == Company.Lifecycle.SUSPENDED:
        return INACTIVE
    state = getattr(company, "schema_state", None)
    if state is None:
        return PROVISIONING
    if state.tenant_migration_key != tenant_migration_key():
        return MAINTENANCE
    if company.lifecycle_pending in (RECOVERING, MOVING):
        # A backup is being restored into place (subscription/lifecycle.py, company_held), or the database
        # is being moved to another server (subscription/scaleout/moves.py).
        return READ_ONLY
    subscription = company.current_subscription()
    if subscription is None:
        return BLOCKED
    return subscription.access(timezone.localdate())


def impersonation_is_open(session: Impersonation, now: datetime.datetime | None = None) -> bool:
    """Whether a superuser's session inside a company still holds: not ended, not expired."""
    return session.ended_at is None and session.expires_at > (now or timezone.now())


def impersonation_is_read_only(company: Company) -> bool:
    """A superuser entering `company` may only read it when its own users could not write."""
    return company_access(company) in (*REFUSED_TO_USERS_READABLE_BY_SUPERUSERS, READ_ONLY)


def impersonation_access(access: str, *, read_only: bool) -> str:
    """A superuser's access inside a company whose users have `access`.

    Refused users' companies (deactivated, suspended, blocked) stay readable, never writable; an
    archived or deleted company has no database in service and stays refused.
    """
    if access in REFUSED_TO_USERS_READABLE_BY_SUPERUSERS or (access == FULL and read_only):
        return READ_ONLY
    return access


def profile_company(user) -> Company | None:
    """The company a signed-in staff member belongs to (caching the profile on the user)."""
    profile = (
        UserProfile.objects.select_related("company__schema_state")
        .annotate(**current_subscription_columns("company"))
        .filter(user=user)
        .first()
    )
    if profile is None:
        return None
    user.profile = profile  # templates and role checks read it without another query
    if profile.company is not None:
        attach_current_subscription(profile.company, profile)  # access needs it: no second query
    return profile.company


def request_company(user, impersonation: Impersonation | None) -> tuple[Company | None, str | None]:
    """The company a request works in and its access: a superuser only inside an open impersonation."""
    if not user.is_authenticated:
        return None, None
    if user.is_superuser:
        if impersonation is None:
            return None, None
        company = impersonation.company
        return company, impersonation_access(company_access(company), read_only=impersonation.read_only)
    company = profile_company(user)
    return (company, company_access(company)) if company is not None else (None, None)


# Views (by URL name) whose POST only reads the company's data: starting its export, say. A read-only
# company may still take its data. Apps add theirs in AppConfig.ready().
POSTS_THAT_ONLY_READ: set[str] = set()


def may_write(access: str | None, method: str, view_name: str = "") -> bool:
    """Whether a request with `access` may use `method` (reads are allowed while read-only)."""
    return access == FULL or method in SAFE_METHODS or (access == READ_ONLY and view_name in POSTS_THAT_ONLY_READ)
