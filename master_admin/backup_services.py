"""The master admin's backup actions: a backup or a restore asked for by a superuser, queued for the worker
and audited (the `master_admin.services` logger, and the job run log with who asked)."""

from __future__ import annotations

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from subscription.lifecycle import STATE_WORDS
from subscription.models import Company, TenantBackup
from subscription.tasks import backup_now, restore_now

logger = logging.getLogger("master_admin.services")


def restore_refusal(company: Company, backup: TenantBackup) -> str:
    """Why `backup` cannot be restored into `company` now; '' when it can."""
    if backup.company_id != company.pk or backup.pruned_at is not None:
        return _("This backup is not one of %(company)s's kept backups.") % {"company": company.name}
    if not company.has_live_database:
        return _(
            "%(company)s is %(state)s: only a company whose database is in service can be restored into place. "
            "Use manage.py restore_tenant %(slug)s --backup %(id)s --as NEWCODE to look at the backup."
        ) % {"company": company.name, "state": STATE_WORDS[company.lifecycle], "slug": company.slug, "id": backup.pk}
    if company.lifecycle_pending:
        return _("%(company)s has an unfinished step (%(step)s): wait for it, or finish it first.") % {
            "company": company.name,
            "step": company.lifecycle_pending,
        }
    return ""


def backup_request(*, superuser: AbstractBaseUser, company: Company) -> None:
    """Queue a backup of `company` ("Back up now"). Raises ValidationError for a deleted company."""
    if company.lifecycle == Company.Lifecycle.DELETED:
        raise ValidationError(
            _("%(company)s is deleted: it has no database to back up.") % {"company": company.name}, code="deleted"
        )
    logger.info("company %s: backup asked by %s", company.slug, superuser.get_username())
    backup_now(slug=company.slug, by=superuser.get_username())


def restore_request(*, superuser: AbstractBaseUser, company: Company, backup: TenantBackup) -> None:
    """Queue the restore of `backup` into `company` (after the typed confirmation). Raises ValidationError."""
    refusal = restore_refusal(company, backup)
    if refusal:
        logger.warning(
            "company %s: restore of backup %s by %s refused: %s", company.slug, backup.pk, superuser, refusal
        )
        raise ValidationError(refusal, code="refused")
    logger.warning(
        "company %s: restore from backup %s (%s) asked by %s",
        company.slug,
        backup.pk,
        backup.file_name,
        superuser.get_username(),
    )
    restore_now(slug=company.slug, backup_id=backup.pk, by=superuser.get_username())
