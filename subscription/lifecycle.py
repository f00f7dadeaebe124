"""The life of a company's database: active → suspended → archived → deleted (docs/lifecycle.md).

Each step is reversible until the last: *resume* undoes *suspend*, *restore* undoes *archive*.
*Delete* removes the archived database after a final backup; the Company row stays, with its
lifecycle, for the audit trail. A SQLite database moves with its `-wal` and `-shm` files; a
PostgreSQL database is renamed. Part of the tenancy core, with provisioning.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from subscription.access import RECOVERING
from subscription.backups.catalogue import backup_create, backup_dir, backup_path, who
from subscription.models import Company, TenantBackup, TenantSchemaState
from subscription.storage import ProvisioningError, storage_for
from subscription.tenancy import forget_alias, tenant_alias, validate_slug

logger = logging.getLogger(__name__)

Lifecycle = Company.Lifecycle

# action: (the state it starts from, the state it leads to)
TRANSITIONS = {
    "suspend": (Lifecycle.ACTIVE, Lifecycle.SUSPENDED),
    "resume": (Lifecycle.SUSPENDED, Lifecycle.ACTIVE),
    "archive": (Lifecycle.SUSPENDED, Lifecycle.ARCHIVED),
    "restore": (Lifecycle.ARCHIVED, Lifecycle.SUSPENDED),
    "delete": (Lifecycle.ARCHIVED, Lifecycle.DELETED),
}
ACTION_LABELS = {
    "suspend": gettext_lazy("Suspend"),
    "resume": gettext_lazy("Resume"),
    "archive": gettext_lazy("Archive"),
    "restore": gettext_lazy("Restore"),
    "delete": gettext_lazy("Delete"),
    "recover": gettext_lazy("Restore from a backup"),
}
STATE_WORDS = {
    Lifecycle.PROVISIONING: gettext_lazy("being set up"),
    Lifecycle.ACTIVE: gettext_lazy("active"),
    Lifecycle.SUSPENDED: gettext_lazy("suspended"),
    Lifecycle.ARCHIVED: gettext_lazy("archived"),
    Lifecycle.DELETED: gettext_lazy("deleted"),
}
REFUSALS = {
    "suspend": gettext_lazy("Only an active company can be suspended; “%(company)s” is %(state)s."),
    "resume": gettext_lazy("Only a suspended company can be resumed; “%(company)s” is %(state)s."),
    "archive": gettext_lazy("Only a suspended company can be archived; “%(company)s” is %(state)s."),
    "restore": gettext_lazy("Only an archived company can be restored; “%(company)s” is %(state)s."),
    "delete": gettext_lazy("Only an archived company can be deleted; “%(company)s” is %(state)s."),
}
# The way along the states, from each state to the next one in either direction.
ORDER = [Lifecycle.ACTIVE, Lifecycle.SUSPENDED, Lifecycle.ARCHIVED, Lifecycle.DELETED]
FORWARD = {Lifecycle.ACTIVE: "suspend", Lifecycle.SUSPENDED: "archive", Lifecycle.ARCHIVED: "delete"}
BACKWARD = {Lifecycle.ARCHIVED: "restore", Lifecycle.SUSPENDED: "resume"}


# --- Where databases go --------------------------------------------------------------------------
def tenant_backup_dir() -> Path:
    """The folder of the backups: BACKUP_DIR (a folder per company in it)."""
    return backup_dir()


def database_location(company: Company) -> str:
    """Where the company's database is now (a file path, or a PostgreSQL database name); '' once deleted."""
    if company.lifecycle == Lifecycle.DELETED:
        return ""
    return storage_for(company).location(company.slug, archived=company.lifecycle == Lifecycle.ARCHIVED)


# --- The state machine ---------------------------------------------------------------------------
def allowed_actions(company: Company) -> list[str]:
    """The lifecycle actions that `company`'s present state allows."""
    return [action for action, (start, _end) in TRANSITIONS.items() if company.lifecycle == start]


def _steps(start: str, goal: str) -> list[str]:
    """The actions that lead from `start` to `goal` (neither of them deleted)."""
    steps, state = [], start
    while state != goal:
        forward = ORDER.index(goal) > ORDER.index(state)
        action = (FORWARD if forward else BACKWARD)[state]
        steps.append(action)
        state = TRANSITIONS[action][1]
    return steps


def lifecycle_refusal(company: Company, action: str) -> str:
    """Why `action` cannot be done to `company` now and what to do instead; '' when it can."""
    start, end = TRANSITIONS[action]
    state = company.lifecycle
    if state == start and company.lifecycle_pending in ("", action):
        return ""
    message = REFUSALS[action] % {"company": company.name, "state": STATE_WORDS[state]}
    if company.lifecycle_pending and company.lifecycle_pending != action:
        pending = ACTION_LABELS.get(company.lifecycle_pending, company.lifecycle_pending)
        return _(
            "“%(company)s” has an unfinished step (%(step)s): run that step again to finish it first; "
            "nothing was changed."
        ) % {"company": company.name, "step": pending}
    if state == Lifecycle.PROVISIONING:
        return f"{message} " + _("Finish setting it up first: manage.py create_tenant_db %(slug)s.") % {
            "slug": company.slug
        }
    direction = 1 if ORDER.index(end) > ORDER.index(start) else -1
    if state == Lifecycle.DELETED:
        hint = _("A deleted company cannot come back; its final backup is %(path)s.") % {
            "path": company.final_backup or "—"
        }
    elif (ORDER.index(state) - ORDER.index(end)) * direction >= 0:
        # Already where the action leads, or beyond it: there is nothing to do.
        hint = _("Nothing was changed.")
    else:
        steps = " → ".join(str(ACTION_LABELS[step]) for step in _steps(state, start))
        hint = _("Do this first: %(steps)s.") % {"steps": steps}
    return f"{message} {hint}"


def _ensure_allowed(company: Company, action: str) -> None:
    refusal = lifecycle_refusal(company, action)
    if refusal:
        raise ValidationError(refusal, code="wrong_state")


def _transition(
    company: Company,
    action: str,
    *,
    by: AbstractBaseUser | None,
    work: Callable[[Company], None] | None = None,
    record: dict | None = None,
) -> Company:
    """Take one step in three: mark it pending (master), do the database work, record the new state (master).

    The database work runs outside any master transaction and is safe to repeat: a step killed halfway
    stays pending, and running the same step again finishes it. A refusal from the storage (nothing was
    changed) clears the mark. `record`: fields saved with the mark (what a rerun needs to finish).
    """
    with transaction.atomic():
        locked = Company.objects.select_for_update().get(pk=company.pk)
        _ensure_allowed(locked, action)
        if work is not None:
            locked.lifecycle_pending = action
            for field, value in (record or {}).items():
                setattr(locked, field, value)
            locked.save(update_fields=["lifecycle_pending", *(record or {})])
    if work is not None:
        try:
            work(locked)
        except ProvisioningError:
            Company.objects.filter(pk=locked.pk, lifecycle_pending=action).update(lifecycle_pending="")
            raise
    with transaction.atomic():
        locked = Company.objects.select_for_update().get(pk=company.pk)
        locked.lifecycle = TRANSITIONS[action][1]
        locked.lifecycle_pending = ""
        locked.lifecycle_changed_at = timezone.now()
        locked.save(update_fields=["lifecycle", "lifecycle_pending", "lifecycle_changed_at", "final_backup"])
    for field in ("lifecycle", "lifecycle_pending", "lifecycle_changed_at", "final_backup"):
        setattr(company, field, getattr(locked, field))
    logger.info(
        "company %s: %s by %s, now %s%s",
        company.slug,
        action,
        who(by),
        company.lifecycle,
        f" ({database_location(company)})" if company.lifecycle != Lifecycle.DELETED else "",
    )
    return company


# --- The services --------------------------------------------------------------------------------
def company_suspend(*, company: Company, by: AbstractBaseUser | None = None) -> Company:
    """Refuse the company's users (a superuser may still enter read-only). Raises ValidationError unless active."""
    return _transition(company, "suspend", by=by)


def company_resume(*, company: Company, by: AbstractBaseUser | None = None) -> Company:
    """Let a suspended company's users in again. Raises ValidationError unless suspended."""
    return _transition(company, "resume", by=by)


def _archive(company: Company) -> None:
    slug = validate_slug(company.slug)
    forget_alias(tenant_alias(slug))
    storage_for(company).archive(slug)


def company_archive(*, company: Company, by: AbstractBaseUser | None = None) -> Company:
    """Take a suspended company's database out of service (SQLite: into TENANT_DB_DIR/archive/).

    Raises ValidationError unless suspended, ProvisioningError if the database cannot be moved.
    """
    return _transition(company, "archive", by=by, work=_archive)


def _restore(company: Company) -> None:
    slug = validate_slug(company.slug)
    forget_alias(tenant_alias(slug))
    storage_for(company).restore(slug)


def company_restore(*, company: Company, by: AbstractBaseUser | None = None) -> Company:
    """Put an archived company's database back in service; the company comes back suspended.

    Raises ValidationError unless archived, ProvisioningError if the database cannot be moved back.
    """
    return _transition(company, "restore", by=by, work=_restore)


def company_delete(*, company: Company, by: AbstractBaseUser | None = None) -> Company:
    """Back up an archived company's database to TENANT_DB_DIR/backups/, then remove it; the row stays, deleted.

    Raises ValidationError unless archived, ProvisioningError if the backup cannot be made.
    """
    current = Company.objects.get(pk=company.pk)
    _ensure_allowed(current, "delete")
    if current.lifecycle_pending == "delete" and current.final_backup:
        backup = current.final_backup  # a deletion killed after its backup: the database may be gone already
    else:
        # Outside any master transaction: a backup may take a while, and needs no lock.
        backup = str(tenant_database_backup(company=current, by=by, how=TenantBackup.How.FINAL))

    def remove(locked: Company) -> None:
        slug = validate_slug(locked.slug)
        forget_alias(tenant_alias(slug))
        storage_for(locked).drop_archived(slug)
        TenantSchemaState.objects.filter(company=locked).delete()

    return _transition(company, "delete", by=by, work=remove, record={"final_backup": backup})


def tenant_database_backup(
    *, company: Company, by: AbstractBaseUser | None = None, how: str = TenantBackup.How.MANUAL
) -> Path:
    """Back up the company's database (live or archived) into BACKUP_DIR and the catalogue; return the file.

    Raises ValidationError for a deleted company, ProvisioningError if no copy can be made.
    """
    return backup_path(backup_create(company=company, how=how, by=by))


# --- Holding a company while its database is replaced ---------------------------------------------
RECOVER = RECOVERING  # Company.lifecycle_pending while a backup is restored into place: the company is read-only


@contextmanager
def company_held(company: Company, step: str = RECOVER, *, by: AbstractBaseUser | str | None = None):
    """Mark `step` pending on a company in service for the block (its users may only read meanwhile).

    A step killed halfway stays pending, so the company stays read-only until the step is run again.
    Raises ValidationError if the company is not in service or another step is unfinished.
    """
    with transaction.atomic():
        locked = Company.objects.select_for_update().get(pk=company.pk)
        if not locked.has_live_database:
            raise ValidationError(
                _("“%(company)s” is %(state)s: only a company whose database is in service can be held for this.")
                % {"company": locked.name, "state": STATE_WORDS[locked.lifecycle]},
                code="wrong_state",
            )
        if locked.lifecycle_pending not in ("", step):
            raise ValidationError(lifecycle_refusal(locked, "suspend"), code="wrong_state")
        locked.lifecycle_pending = step
        locked.save(update_fields=["lifecycle_pending"])
    company.lifecycle_pending = step
    logger.info("company %s: %s started by %s; read-only meanwhile", company.slug, step, who(by))
    try:
        yield company
    finally:
        Company.objects.filter(pk=company.pk, lifecycle_pending=step).update(lifecycle_pending="")
        company.lifecycle_pending = ""
        logger.info("company %s: %s ended", company.slug, step)
