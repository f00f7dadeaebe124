"""Retention keeps exactly the expected backups; verify_backups proves a backup restores and catches tampering."""

import datetime
import io
import sqlite3

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subscription.backups.catalogue import backup_create, backup_path, backups_prune, kept
from subscription.backups.crypto import file_sha256
from subscription.backups.drill import backup_health
from subscription.models import TenantBackup
from subscription.tests.backup_helpers import fill

pytestmark = pytest.mark.django_db


def run(name: str, *args) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def local(*parts) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*parts))


# --- Retention -----------------------------------------------------------------------------------------
def test_retention_keeps_exactly_the_newest_of_each_day_week_and_month(acme, settings):
    settings.BACKUP_KEEP_DAILY, settings.BACKUP_KEEP_WEEKLY, settings.BACKUP_KEEP_MONTHLY = 3, 2, 3
    # Two backups a day over 1–20 March 2025 (a Saturday to a Thursday), and one on 10 February and 15 January.
    moments = [local(2025, 3, day, hour) for day in range(1, 21) for hour in (2, 14)]
    moments += [local(2025, 2, 10, 2), local(2025, 1, 15, 2)]
    backups = []
    for moment in moments:
        backup = backup_create(company=acme)
        TenantBackup.objects.filter(pk=backup.pk).update(created_at=moment)
        backups.append((moment, backup))
    final = backup_create(company=acme, how=TenantBackup.How.FINAL)
    TenantBackup.objects.filter(pk=final.pk).update(created_at=local(2024, 1, 1))
    backups_prune(company=acme)
    expected = {
        local(2025, 3, 20, 14),  # daily: 20, 19, 18 March
        local(2025, 3, 19, 14),
        local(2025, 3, 18, 14),
        local(2025, 3, 16, 14),  # weekly: ISO week 12 (17–20 March) has the 20th; week 11 ends on Sunday the 16th
        local(2025, 2, 10, 2),  # monthly: March has the 20th, then February, January
        local(2025, 1, 15, 2),
    }
    remaining = {moment for moment, backup in backups if backup_path(backup).exists()}
    assert remaining == expected
    catalogued = set(TenantBackup.objects.filter(company=acme, pruned_at__isnull=True).values_list("pk", flat=True))
    assert catalogued == {backup.pk for moment, backup in backups if moment in expected} | {final.pk}
    assert backup_path(final).exists()  # a final backup is never pruned


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    hours=st.lists(st.integers(min_value=0, max_value=24 * 400), min_size=1, max_size=60, unique=True),
    daily=st.integers(min_value=1, max_value=10),
    weekly=st.integers(min_value=0, max_value=6),
    monthly=st.integers(min_value=0, max_value=12),
)
def test_retention_rules_hold_for_any_history(hours, daily, weekly, monthly):
    start = local(2024, 1, 1)
    moments = [(index, start + datetime.timedelta(hours=hour)) for index, hour in enumerate(hours)]
    keep = kept(moments, daily=daily, weekly=weekly, monthly=monthly)
    newest = max(moments, key=lambda item: item[1])
    assert newest[0] in keep
    assert len(keep) <= daily + weekly + monthly
    for period, count in ((lambda m: m.date(), daily), (lambda m: (m.year, m.month), monthly)):
        periods = sorted({period(timezone.localtime(m)) for _, m in moments}, reverse=True)[:count]
        for bucket in periods:  # each of the last `count` periods keeps exactly its newest backup
            members = [item for item in moments if period(timezone.localtime(item[1])) == bucket]
            assert max(members, key=lambda item: item[1])[0] in keep


# --- Verification --------------------------------------------------------------------------------------
@pytest.fixture
def backed_up(acme, globex, member, settings):
    fill(acme, "Acme", staff=member("manager", acme))
    fill(globex, "Globex", staff=member("manager", globex))
    return backup_create(company=acme), backup_create(company=globex)


@pytest.mark.parametrize("key", ["", "a secret"])
def test_verify_backups_restores_each_latest_backup_and_records_it(backed_up, settings, key):
    settings.BACKUP_KEY = key
    acme_backup, globex_backup = (
        backup_create(company=backed_up[0].company),
        backup_create(company=backed_up[1].company),
    )
    out = run("verify_backups")
    assert "2 ok, 0 failed" in out
    for backup in (acme_backup, globex_backup):
        backup.refresh_from_db()
        assert backup.verified_ok is True and backup.verified_at is not None
    assert [health.failed or health.stale for health in backup_health()] == [False, False]


def test_verify_backups_catches_a_tampered_file(backed_up):
    acme_backup, globex_backup = backed_up
    path = backup_path(acme_backup)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="1 of 2 backup"):
        run("verify_backups")
    acme_backup.refresh_from_db()
    globex_backup.refresh_from_db()
    assert acme_backup.verified_ok is False and "SHA-256 differs" in acme_backup.verify_result
    assert globex_backup.verified_ok is True
    health = {item.company.slug: item for item in backup_health()}
    assert health[acme_backup.company.slug].failed and not health[globex_backup.company.slug].failed


def test_verify_backups_catches_changed_content_even_with_a_matching_file_checksum(backed_up):
    """Someone changed a row and the catalogue's SHA-256 with it: the table checksums still differ."""
    acme_backup, _globex_backup = backed_up
    path = backup_path(acme_backup)
    connection = sqlite3.connect(path)
    connection.execute(
        "UPDATE doctors_doctor SET first_name = 'Tampered' WHERE id = (SELECT MIN(id) FROM doctors_doctor)"
    )
    connection.commit()
    connection.close()
    TenantBackup.objects.filter(pk=acme_backup.pk).update(sha256=file_sha256(path), size=path.stat().st_size)
    with pytest.raises(CommandError, match="failed verification"):
        run("verify_backups", "--tenant", acme_backup.company.slug)
    acme_backup.refresh_from_db()
    assert acme_backup.verify_result == "doctors_doctor: same 3 rows, different content"


def test_a_company_without_a_recent_good_backup_is_flagged(backed_up, settings):
    acme_backup, globex_backup = backed_up
    settings.BACKUP_MAX_AGE_HOURS = 24
    TenantBackup.objects.filter(pk=acme_backup.pk).update(created_at=timezone.now() - datetime.timedelta(hours=25))
    health = {item.company.slug: item for item in backup_health()}
    assert health[acme_backup.company.slug].stale and not health[globex_backup.company.slug].stale
    TenantBackup.objects.filter(pk=globex_backup.pk).delete()
    out = io.StringIO()
    with pytest.raises(CommandError, match="failed verification"):
        call_command("verify_backups", "--tenant", globex_backup.company.slug, stdout=out)
    assert "no backup to verify" in out.getvalue()
    assert {item.company.slug: item.stale for item in backup_health()}[globex_backup.company.slug]
