"""Making backups into the catalogue, finding their files, and pruning them by the retention rules."""

from __future__ import annotations

import datetime
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from subscription.backups.crypto import SUFFIX, BackupUnreadable, decrypt_file, encrypt_file, file_sha256
from subscription.models import Company, TenantBackup, TenantSchemaState
from subscription.storage import ProvisioningError, storage_for
from subscription.storage.base import fsync_dir, fsync_file
from subscription.storage.tables import fingerprint
from subscription.tenancy import validate_slug

logger = logging.getLogger("subscription.backups")
How = TenantBackup.How


def backup_dir() -> Path:
    """BACKUP_DIR, where every backup file is (a folder per company)."""
    return Path(settings.BACKUP_DIR).resolve()


def backup_path(backup: TenantBackup) -> Path:
    return backup_dir() / backup.file_name


def who(by: AbstractBaseUser | str | None) -> str:
    if by is None:
        return "manage.py"
    return by if isinstance(by, str) else by.get_username()


def _link_unused_name(building: Path, folder: Path, stem: str, suffix: str) -> Path:
    """Give the finished backup its name; a second backup in the same second gets `-2`, `-3`, ..."""
    for number in range(1, 1000):
        target = folder / f"{stem}{'' if number == 1 else f'-{number}'}{suffix}"
        try:
            os.link(building, target)
            return target
        except FileExistsError:
            continue
    raise ProvisioningError(_("Too many backups named %(name)s; nothing was written.") % {"name": stem})


def _schema(company: Company) -> tuple[str, dict]:
    state = TenantSchemaState.objects.filter(company=company).first()
    return (state.tenant_migration_key, state.latest_migrations) if state else ("", {})


def backup_create(*, company: Company, how: str = How.MANUAL, by: AbstractBaseUser | str | None = None) -> TenantBackup:
    """Back up the company's database (live or archived) into BACKUP_DIR/<slug>/ and catalogue it.

    Encrypted when BACKUP_KEY is set; copied to BACKUP_COPY_DIR when set. Raises ValidationError for a
    deleted company, ProvisioningError if no copy can be made.
    """
    slug = validate_slug(company.slug)
    if company.lifecycle == Company.Lifecycle.DELETED:
        raise ValidationError(
            _("“%(company)s” is deleted: it has no database to back up. Its final backup is %(path)s.")
            % {"company": company.name, "path": company.final_backup or "—"},
            code="wrong_state",
        )
    storage = storage_for(company)
    folder = backup_dir() / slug
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    made_at = timezone.now()
    plain = folder / f".{uuid.uuid4().hex}.part"
    sealed = plain.with_name(f"{plain.name}{SUFFIX}")
    try:
        tables = storage.backup(
            slug, plain, archived=company.lifecycle == Company.Lifecycle.ARCHIVED, inspect=fingerprint
        )
        fsync_file(plain)
        building, suffix = plain, storage.backup_suffix
        if settings.BACKUP_KEY:
            encrypt_file(plain, sealed, settings.BACKUP_KEY)
            fsync_file(sealed)
            building, suffix = sealed, suffix + SUFFIX
        stem = f"{slug}-{made_at.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}-{how}"
        target = _link_unused_name(building, folder, stem, suffix)
    finally:
        plain.unlink(missing_ok=True)
        sealed.unlink(missing_ok=True)
    fsync_dir(folder)
    key, latest = _schema(company)
    backup = TenantBackup.objects.create(
        company=company,
        created_at=made_at,
        server=storage.server_name(),
        engine=storage.engine,
        file_name=target.relative_to(backup_dir()).as_posix(),
        size=target.stat().st_size,
        sha256=file_sha256(target),
        encrypted=bool(settings.BACKUP_KEY),
        tenant_migration_key=key,
        latest_migrations=latest,
        tables=tables,
        how=how,
        made_by=who(by),
        duration_ms=round((time.perf_counter() - started) * 1000),
    )
    copy_backup(backup)
    logger.info("company %s: backed up (%s) by %s to %s (%d bytes)", slug, how, who(by), target, backup.size)
    return backup


def copy_backup(backup: TenantBackup) -> None:
    """Copy the backup to BACKUP_COPY_DIR (when set) and check the copy by its SHA-256; record either way."""
    if not settings.BACKUP_COPY_DIR:
        return
    target = Path(settings.BACKUP_COPY_DIR).resolve() / backup.file_name
    building = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(backup_path(backup), building)
        fsync_file(building)
        os.replace(building, target)
        fsync_dir(target.parent)
        copied = file_sha256(target)
    except OSError as error:
        backup.copy_error = _("The copy could not be written: %(error)s") % {"error": error}
    else:
        if copied == backup.sha256:
            backup.copy_file, backup.copy_checked_at, backup.copy_error = str(target), timezone.now(), ""
        else:
            backup.copy_error = _("The copy's SHA-256 differs from the backup's: %(path)s") % {"path": target}
    finally:
        building.unlink(missing_ok=True)
    backup.save(update_fields=["copy_file", "copy_checked_at", "copy_error"])
    if backup.copy_error:
        logger.error("company %s: backup %s: %s", backup.company.slug, backup.file_name, backup.copy_error)


def readable_file(backup: TenantBackup) -> Path:
    """The backup's file, or its copy, whose SHA-256 is the catalogued one. Raises BackupUnreadable."""
    problems = []
    for candidate in (backup_path(backup), Path(backup.copy_file) if backup.copy_file else None):
        if candidate is None:
            continue
        if not candidate.exists():
            problems.append(_("%(path)s is missing") % {"path": candidate})
        elif file_sha256(candidate) != backup.sha256:
            problems.append(_("%(path)s was changed since it was made (its SHA-256 differs)") % {"path": candidate})
        else:
            return candidate
    raise BackupUnreadable(
        _("Backup %(id)s cannot be used: %(problems)s.") % {"id": backup.pk, "problems": "; ".join(problems)}
    )


@contextmanager
def plain_backup(backup: TenantBackup) -> Iterator[Path]:
    """The backup as a plain file for the block (decrypted into a temporary file when encrypted)."""
    source = readable_file(backup)
    if not backup.encrypted:
        yield source
        return
    work = backup_dir() / ".work"
    work.mkdir(parents=True, exist_ok=True)
    plain = work / f"{uuid.uuid4().hex}.plain"
    try:
        decrypt_file(source, plain, settings.BACKUP_KEY)
        yield plain
    finally:
        plain.unlink(missing_ok=True)


def latest_backup(company: Company) -> TenantBackup | None:
    return TenantBackup.objects.filter(company=company, pruned_at__isnull=True).order_by("-created_at", "-pk").first()


# --- Retention -----------------------------------------------------------------------------------------
def kept(moments: list[tuple[int, datetime.datetime]], *, daily: int, weekly: int, monthly: int) -> set[int]:
    """The ids to keep: the newest backup of each of the last `daily` days, `weekly` weeks, `monthly` months.

    Days, ISO weeks and months that have a backup count; they are read in the project's time zone.
    """
    newest_first = sorted(moments, key=lambda item: item[1], reverse=True)
    periods = (
        (lambda moment: moment.date(), daily),
        (lambda moment: moment.isocalendar()[:2], weekly),
        (lambda moment: (moment.year, moment.month), monthly),
    )
    keep: set[int] = set()
    for period, count in periods:
        seen: set = set()
        for ident, moment in newest_first:
            bucket = period(timezone.localtime(moment))
            if bucket in seen:
                continue
            if len(seen) >= count:
                break
            seen.add(bucket)
            keep.add(ident)
    return keep


def backups_prune(*, company: Company) -> list[TenantBackup]:
    """Remove the company's backups the retention rules do not keep (files and copies); final backups stay."""
    candidates = list(
        TenantBackup.objects.filter(company=company, pruned_at__isnull=True).exclude(how=How.FINAL).select_related(None)
    )
    keep = kept(
        [(backup.pk, backup.created_at) for backup in candidates],
        daily=max(1, settings.BACKUP_KEEP_DAILY),
        weekly=settings.BACKUP_KEEP_WEEKLY,
        monthly=settings.BACKUP_KEEP_MONTHLY,
    )
    pruned = []
    for backup in candidates:
        if backup.pk in keep:
            continue
        backup_path(backup).unlink(missing_ok=True)
        if backup.copy_file:
            Path(backup.copy_file).unlink(missing_ok=True)
        backup.pruned_at = timezone.now()
        backup.save(update_fields=["pruned_at"])
        pruned.append(backup)
    if pruned:
        logger.info("company %s: pruned %d backup(s) by the retention rules", company.slug, len(pruned))
    return pruned
