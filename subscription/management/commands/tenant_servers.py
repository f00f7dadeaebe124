from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from subscription.scaleout.models import TenantServer
from subscription.scaleout.overview import server_overview
from subscription.scaleout.placement import set_server_state
from subscription.storage.servers import UnknownServer

State = TenantServer.State


class Command(BaseCommand):
    help = (
        "The database servers company databases are on (TENANT_SERVERS and local): state, companies, size, "
        "replica lag. --open/--close/--drain NAME decides whether a server takes new companies."
    )

    def add_arguments(self, parser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--open", metavar="NAME", help="Let the server take new companies.")
        group.add_argument("--close", metavar="NAME", help="Place no new company on the server (it keeps its own).")
        group.add_argument(
            "--drain", metavar="NAME", help="Mark the server draining (then: manage.py drain_server NAME)."
        )

    def handle(self, *args, **options) -> None:
        for option, state in (("open", State.OPEN), ("close", State.CLOSED), ("drain", State.DRAINING)):
            if options[option]:
                try:
                    set_server_state(options[option], state)
                except UnknownServer as error:
                    raise CommandError(str(error)) from None
                self.stdout.write(f"{options[option]}: {State(state).label}.")
        rows = server_overview()
        width = max(len(row.name) for row in rows)
        self.stdout.write(f"{'server':<{width}}  {'engine':<10}  {'state':<8}  {'companies':>9}  {'size':>9}  replica")
        for row in rows:
            size = filesizeformat(row.size) if row.size is not None else "?"
            if row.replica_problem:
                replica = f"unreachable ({row.replica_problem})"
            elif row.replica_lag is not None:
                replica = f"lag {row.replica_lag:.1f} s"
            else:
                replica = "—"
            line = f"{row.name:<{width}}  {row.engine:<10}  {row.state:<8}  {row.companies:>9}  {size:>9}  {replica}"
            if row.problem:
                line += f"  UNREACHABLE: {row.problem}"
            self.stdout.write(line)
        if any(row.problem for row in rows):
            raise CommandError("A server does not answer (see above): check it and its TENANT_SERVERS URL.")
