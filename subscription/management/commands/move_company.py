from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from subscription.models import Company
from subscription.scaleout.moves import MoveError, drop_kept_sources, finish_unfinished_move, move_company
from subscription.storage.servers import UnknownServer


class Command(BaseCommand):
    help = (
        "Move a company's database to another server (local, or a name of TENANT_SERVERS), copied, verified "
        "table by table and switched; the company is read-only meanwhile and stays where it was if anything "
        "fails. Run again after a crash: an interrupted move is rolled back (before its switch) or completed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", nargs="?", help="The company's code, e.g. acme.")
        parser.add_argument("--to", dest="target", help="The server to move it to.")
        parser.add_argument(
            "--drop-source", action="store_true", help="Drop the old database at once instead of keeping it aside."
        )
        parser.add_argument(
            "--finish",
            action="store_true",
            help="Only finish an interrupted move of the company (roll back or complete), move nothing.",
        )
        parser.add_argument(
            "--purge",
            type=int,
            nargs="?",
            const=-1,
            metavar="DAYS",
            help="Drop the kept old databases of moves finished more than DAYS days ago (default "
            "TENANT_MOVE_KEEP_DAYS; the worker does this nightly).",
        )

    def handle(self, *args, slug=None, target=None, drop_source=False, finish=False, purge=None, **options) -> None:
        if purge is not None:
            dropped = drop_kept_sources(settings.TENANT_MOVE_KEEP_DAYS if purge < 0 else purge)
            self.stdout.write(f"Dropped {len(dropped)} kept old database(s).")
            return
        if not slug:
            raise CommandError("Name the company: manage.py move_company SLUG --to SERVER.")
        company = Company.objects.filter(slug=slug).first()
        if company is None:
            raise CommandError(f"No company with the code “{slug}”. Codes are listed in /admin/ under Companies.")
        if finish:
            move = finish_unfinished_move(company)
            self.stdout.write(f"{slug}: " + (f"move to {move.target} {move.step}." if move else "no unfinished move."))
            return
        if not target:
            raise CommandError("Say where to: manage.py move_company SLUG --to SERVER (see manage.py tenant_servers).")
        try:
            move = move_company(
                company,
                target,
                by="manage.py",
                drop_source=drop_source,
                on_step=lambda move: self.stdout.write(f"  {move.get_step_display()}"),
                progress=self.progress if options["verbosity"] > 1 else None,
            )
        except (MoveError, UnknownServer) as error:
            raise CommandError(str(error)) from None
        kept = f"; the old database is kept as {move.kept_source}" if move.kept_source else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Moved {slug} from {move.source} to {move.target}: {move.rows} rows, read-only for "
                f"{move.read_only_ms / 1000:.1f} s{kept}."
            )
        )

    def progress(self, table: str, rows: int) -> None:
        self.stdout.write(f"    {table}: {rows} rows")
