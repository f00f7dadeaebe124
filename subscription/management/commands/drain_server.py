import time

from django.core.management.base import BaseCommand, CommandError

from subscription.models import Company
from subscription.scaleout.models import TenantServer
from subscription.scaleout.moves import MoveError, move_company
from subscription.scaleout.placement import choose_server, set_server_state
from subscription.storage import ProvisioningError, servers
from subscription.storage.servers import UnknownServer


class Command(BaseCommand):
    help = (
        "Move every company off a server (marked draining first, so nothing new lands on it), one at a time, "
        "each to the open server with the fewest companies or to --to NAME; progress and a summary. Run "
        "again to retry the ones that failed. Exit 1 if any company is left."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("server", help="The server to empty.")
        parser.add_argument("--to", dest="target", help="Move every company to this server.")
        parser.add_argument(
            "--drop-source", action="store_true", help="Drop each old database at once instead of keeping it aside."
        )

    def handle(self, *args, server: str, target=None, drop_source=False, **options) -> None:
        try:
            servers.configured().url(server)
            if target:
                servers.configured().url(target)
        except UnknownServer as error:
            raise CommandError(str(error)) from None
        if target == server:
            raise CommandError("--to names the server being drained: name another one.")
        set_server_state(server, TenantServer.State.DRAINING)
        default = servers.configured().default
        on_server = Company.objects.with_live_database().order_by("slug")
        companies = [c for c in on_server if (c.server or default) == server]
        total, failed, started = len(companies), [], time.perf_counter()
        self.stdout.write(f"Draining {server}: {total} company(ies).")
        for index, company in enumerate(companies, 1):
            began = time.perf_counter()
            try:
                to = target or choose_server()
                move = move_company(company, to, by="drain_server", drop_source=drop_source)
            except (MoveError, ProvisioningError) as error:
                failed.append(company.slug)
                self.stdout.write(f"[{index}/{total}] {company.slug} FAILED: {error}")
                continue
            self.stdout.write(
                f"[{index}/{total}] {company.slug} → {move.target}: {move.rows} rows, "
                f"{time.perf_counter() - began:.1f} s"
            )
        self.stdout.write(
            f"Moved {total - len(failed)} of {total} in {time.perf_counter() - started:.1f} s; {len(failed)} failed."
        )
        if failed:
            raise CommandError(f"Still on {server}: {', '.join(failed)}. Fix the cause shown above and run again.")
