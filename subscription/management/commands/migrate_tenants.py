"""Apply migrations to every company's database, or to those named with --tenant."""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from subscription.migration_worker import Outcome, migrate_many, migrate_one, prepare_fork, start_worker
from subscription.models import Company
from subscription.provisioning import record_schema_states
from subscription.schema import migration_key
from subscription.storage import storage_for
from subscription.workers import can_fork, start_forked_worker

RECORD_EVERY = 100  # outcomes written to the master database in one transaction
CHUNK = 20  # companies a worker process migrates before it reports them


class Command(BaseCommand):
    help = (
        "Apply migrations to every company's database (or to those named with --tenant). "
        "Takes migrate's app_label, migration_name, --fake, --fake-initial, --plan and --check. "
        "Companies recorded as up to date are skipped unless --force, archived and deleted ones always; "
        "one company's failure does not stop the others, and the exit status is non-zero if any failed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("app_label", nargs="?", help="Migrate only this tenant app.")
        parser.add_argument("migration_name", nargs="?", help="Migrate to this migration (or 'zero').")
        parser.add_argument("--tenant", action="append", dest="tenants", metavar="SLUG", help="Repeatable.")
        parser.add_argument("--jobs", type=int, default=1, help="Worker processes (default 1).")
        parser.add_argument("--fake", action="store_true")
        parser.add_argument("--fake-initial", action="store_true")
        parser.add_argument("--plan", action="store_true", help="Show what would run; change nothing.")
        parser.add_argument(
            "--check", action="store_true", dest="check_unapplied", help="Fail if any company is behind."
        )
        parser.add_argument("--force", action="store_true", help="Run migrate even where recorded as up to date.")

    def handle(self, *args, **options) -> None:
        if options["jobs"] < 1:
            raise CommandError("--jobs must be 1 or more.")
        companies = self.companies(options["tenants"])
        migrate_options = {
            key: options[key]
            for key in ("app_label", "migration_name", "fake", "fake_initial", "plan", "check_unapplied")
            if options[key]
        }
        records_state = not (options["plan"] or options["check_unapplied"])
        skip_current = not migrate_options and not options["force"]

        total = len(companies)
        self.stdout.write(f"Migrating {total} company database(s) with {options['jobs']} worker(s)…")
        started = time.perf_counter()
        pending, outcomes = [], []
        key = migration_key()
        for company in companies:
            state = getattr(company, "schema_state", None)
            if skip_current and state and state.migration_key == key and self.exists(company):
                outcomes.append(Outcome(company.slug, True, 0.0, up_to_date=True, skipped=True))
            else:
                pending.append(company)
        for index, outcome in enumerate(outcomes, start=1):
            self.report(index, total, outcome)

        by_slug = {company.slug: company for company in companies}
        unrecorded = []
        for outcome in self.run(pending, migrate_options, options["jobs"]):
            outcomes.append(outcome)
            self.report(len(outcomes), total, outcome)
            if records_state:
                unrecorded.append((by_slug[outcome.slug], outcome.seconds, outcome.error, outcome.up_to_date))
            if len(unrecorded) >= RECORD_EVERY:
                record_schema_states(unrecorded)
                unrecorded = []
        if unrecorded:
            record_schema_states(unrecorded)

        failed = sorted(outcome.slug for outcome in outcomes if not outcome.ok)
        skipped = sum(outcome.skipped for outcome in outcomes)
        self.stdout.write(
            f"Done in {time.perf_counter() - started:.2f}s: {total - len(failed)} ok "
            f"({skipped} already up to date), {len(failed)} failed."
        )
        if failed:
            raise CommandError(
                f"{len(failed)} of {total} company database(s) failed: {', '.join(failed)}. "
                "See the errors above, fix them, then rerun with --tenant for each."
            )

    def companies(self, slugs: list[str] | None) -> list[Company]:
        companies = Company.objects.select_related("schema_state").order_by("slug")
        found = list(companies.filter(slug__in=slugs) if slugs else companies)
        unknown = sorted(set(slugs or ()) - {company.slug for company in found})
        if unknown:
            raise CommandError(
                f"No company with the code: {', '.join(unknown)}. Check the spelling; codes are listed in /admin/ under Companies."
            )
        # Archived and deleted companies have no database in service (docs/lifecycle.md).
        skipped = [company.slug for company in found if not company.has_live_database]
        if skipped:
            self.stdout.write(f"Skipping {len(skipped)} archived or deleted company(ies): {', '.join(skipped)}.")
        return [company for company in found if company.has_live_database]

    @staticmethod
    def exists(company: Company) -> bool:
        return storage_for(company).files(company.slug).exists is not False

    def run(self, companies: list[Company], migrate_options: dict, jobs: int):
        if jobs == 1 or len(companies) <= 1:
            for company in companies:
                yield migrate_one((company.slug, company.server), migrate_options)
            return
        places = [(company.slug, company.server) for company in companies]
        chunks = [places[start : start + CHUNK] for start in range(0, len(places), CHUNK)]
        work = partial(migrate_many, options=migrate_options)
        if can_fork():
            # Forked workers start at once and inherit the migration graph this process has read.
            prepare_fork()
            with multiprocessing.get_context("fork").Pool(jobs, initializer=start_forked_worker) as pool:
                for outcomes in pool.imap_unordered(work, chunks):
                    yield from outcomes
            return
        # A process with other threads must not fork (their locks would stay held in the copy).
        context = multiprocessing.get_context("spawn")
        initargs = (str(settings.TENANT_DB_DIR), settings.TENANT_DATABASE_URL, settings.TENANT_SERVERS)
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=start_worker, initargs=initargs) as pool:
            for outcomes in pool.map(work, chunks):
                yield from outcomes

    def report(self, index: int, total: int, outcome: Outcome) -> None:
        width = len(str(total))
        prefix = f"[{index:>{width}}/{total}] {outcome.slug} ..."
        if outcome.ok:
            status = "up to date" if outcome.skipped else "ok"
            self.stdout.write(f"{prefix} {self.style.SUCCESS(status)} {outcome.seconds:.2f}s")
            if outcome.output.strip():
                self.stdout.write(outcome.output.rstrip())
        else:
            self.stdout.write(f"{prefix} {self.style.ERROR('FAILED')} {outcome.seconds:.2f}s: {outcome.error}")
