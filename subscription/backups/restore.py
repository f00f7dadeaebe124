"""Putting a backup back: into place (after a safety backup, the company read-only meanwhile) or as a new
company for inspection; and verifying a backup by restoring it into a scratch database."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from subscription.backups.catalogue import backup_create as make_backup
from subscription.backups.catalogue import latest_backup, plain_backup, who
from subscription.lifecycle import company_held
from subscription.models import Company, Subscription, SubscriptionPlan, TenantBackup
from subscription.provisioning import ProvisioningError, tenant_database_from_backup, tenant_database_migrate
from subscription.storage import storage_for
from subscription.storage.tables import differences, fingerprint
from subscription.tenancy import forget_alias, tenant_alias, validate_slug

logger = logging.getLogger("subscription.backups")


def _same_engine(company: Company, backup: TenantBackup) -> None:
    engine = storage_for(company).engine
    if backup.engine != engine:
        raise ProvisioningError(
            _("Backup %(id)s was made on %(made)s and companies are now on %(now)s: it cannot be restored here.")
            % {"id": backup.pk, "made": backup.engine, "now": engine}
        )


def pick_backup(company: Company, ident: str | int | None = "latest") -> TenantBackup:
    """The company's backup by id, or its latest one. Raises ValidationError when there is none such."""
    backups = TenantBackup.objects.filter(company=company, pruned_at__isnull=True)
    if ident in (None, "", "latest"):
        backup = latest_backup(company)
        if backup is None:
            raise ValidationError(
                _("“%(company)s” has no backup yet: make one with manage.py backup_tenant --tenant %(slug)s.")
                % {"company": company.name, "slug": company.slug},
                code="no_backup",
            )
        return backup
    backup = backups.filter(pk=int(ident)).first() if str(ident).isdigit() else None
    if backup is None:
        raise ValidationError(
            _("“%(company)s” has no backup %(id)s (the ids are listed on its page in /master-admin/).")
            % {"company": company.name, "id": ident},
            code="no_backup",
        )
    return backup


@dataclass
class Restored:
    """What a restore into place left: the safety backup of what was there, or where the damaged database is."""

    safety: TenantBackup | None
    kept: str = ""


def restore_in_place(
    *, company: Company, backup: TenantBackup, by: AbstractBaseUser | str | None = None, force: bool = False
) -> Restored:
    """Replace the company's database by `backup`, after a safety backup; the company is read-only meanwhile.

    A database that cannot be backed up (damaged) is refused unless `force`: it is then kept aside, not
    removed. Raises ValidationError (wrong company or state) or ProvisioningError (nothing was changed).
    """
    if backup.company_id != company.pk:
        raise ValidationError(_("Backup %(id)s is not one of “%(company)s”.") % {"id": backup.pk, "company": company})
    _same_engine(company, backup)
    with company_held(company, by=by):
        try:
            safety = make_backup(company=company, how=TenantBackup.How.SAFETY, by=by)
        except ProvisioningError as error:
            if not force:
                raise ProvisioningError(
                    _(
                        "What is there now could not be backed up first (%(error)s), so nothing was changed. If the "
                        "database is damaged, restore with force: the damaged database is then kept aside."
                    )
                    % {"error": error}
                ) from error
            safety = None
        started = time.perf_counter()
        with plain_backup(backup) as plain:
            forget_alias(tenant_alias(company.slug))
            kept = storage_for(company).replace_from_backup(company.slug, plain, keep_old=safety is None)
        tenant_database_migrate(company, started=started)
    logger.info(
        "company %s: restored from backup %s (%s) by %s; %s",
        company.slug,
        backup.pk,
        backup.file_name,
        who(by),
        f"safety backup {safety.file_name}" if safety else f"the damaged database is kept at {kept}",
    )
    return Restored(safety, kept)


def _subscription_like(source: Company | None) -> tuple[SubscriptionPlan, str]:
    current = source.current_subscription() if source is not None else None
    if current is not None:
        return current.plan, current.status
    plan = SubscriptionPlan.objects.filter(is_active=True).order_by("price_monthly", "code").first()
    if plan is None:
        raise ValidationError(_("There is no active subscription plan to give the new company; add one first."))
    return plan, Subscription.Status.TRIAL


def new_company_row(*, slug: str, name: str, like: Company | None, plan: SubscriptionPlan | None = None) -> Company:
    """A company being set up (committed), with a subscription like `like`'s or on `plan`. Raises ValidationError."""
    validate_slug(slug)
    company = Company(name=name, slug=slug, lifecycle=Company.Lifecycle.PROVISIONING)
    if Company.objects.filter(slug=slug).exists() or storage_for(company).exists(slug):
        raise ValidationError(
            _("The code “%(slug)s” is taken; choose another for the new company.") % {"slug": slug}, code="taken"
        )
    company.full_clean()
    if plan is not None:
        status = Subscription.Status.TRIAL
    else:
        plan, status = _subscription_like(like)
    with transaction.atomic():
        company.save()
        Subscription.objects.create(company=company, plan=plan, status=status, starts_on=timezone.localdate())
    return company


def restore_as_new(
    *, backup: TenantBackup, slug: str, name: str = "", by: AbstractBaseUser | str | None = None
) -> Company:
    """A new company `slug` made from `backup`, to look at; the backup's company is not touched.

    Raises ValidationError (a taken or bad code) or ProvisioningError (the backup cannot be read).
    """
    source = backup.company
    _same_engine(source, backup)
    name = name or _("%(company)s (restored from %(date)s)") % {
        "company": source.name,
        "date": timezone.localtime(backup.created_at).strftime("%Y-%m-%d %H:%M"),
    }
    company = new_company_row(slug=slug, name=name, like=source)
    try:
        with plain_backup(backup) as plain:
            tenant_database_from_backup(company, plain)
    except Exception:
        # Nothing was made under the new code that anyone uses yet: take the row back.
        storage_for(company).drop(slug)
        company.subscriptions.all().delete()
        company.delete()
        raise
    logger.info("company %s: made from backup %s of %s by %s", slug, backup.pk, source.slug, who(by))
    return company


def verify_backup(backup: TenantBackup) -> TenantBackup:
    """Restore `backup` into a scratch database and compare each table with the catalogue; record the result."""
    started = time.perf_counter()
    try:
        _same_engine(backup.company, backup)
        if not backup.tables:
            raise ProvisioningError(_("Backup %(id)s has no table checksums to compare with.") % {"id": backup.pk})
        with plain_backup(backup) as plain:
            with storage_for(backup.company).scratch_from_backup(plain) as alias:
                found = fingerprint(alias)
        problems = differences(backup.tables, found)
    except (ProvisioningError, OSError) as error:
        problems = [str(error)]
    backup.verified_at = timezone.now()
    backup.verified_ok = not problems
    tables = len(backup.tables)
    rows = sum(table["rows"] for table in backup.tables.values())
    backup.verify_result = "\n".join(problems) or _("%(tables)d tables, %(rows)d rows, as catalogued (%(s).1fs).") % {
        "tables": tables,
        "rows": rows,
        "s": time.perf_counter() - started,
    }
    backup.save(update_fields=["verified_at", "verified_ok", "verify_result"])
    log = logger.info if backup.verified_ok else logger.error
    log("company %s: backup %s verified: %s", backup.company.slug, backup.file_name, backup.verify_result)
    return backup
