"""Each server as an operator needs to see it: state, companies, size, reachability, replica lag."""

from __future__ import annotations

from dataclasses import dataclass

from subscription.scaleout.placement import companies_per_server, server_states
from subscription.storage import replica_storage, server_storage, servers


@dataclass
class ServerRow:
    name: str
    engine: str
    state: str
    companies: int
    size: int | None  # bytes of its company databases, None if unknown
    problem: str  # '' when it answers
    replica_lag: float | None = None  # seconds; None without a replica (or when it does not answer)
    replica_problem: str = ""


def server_overview() -> list[ServerRow]:
    """Every configured server, in name order."""
    states, counts = server_states(), companies_per_server()
    rows = []
    for name in servers.configured().names:
        store = server_storage(name)
        try:
            size, problem = store.total_size(), ""
        except Exception as error:  # noqa: BLE001 - an unreachable server is shown, not fatal
            size, problem = None, " ".join(str(error).split())[:200]
        row = ServerRow(name, store.engine, states[name], counts[name], size, problem)
        replica = replica_storage(name)
        if replica is not None:
            try:
                row.replica_lag = replica.replay_lag()
            except Exception as error:  # noqa: BLE001
                row.replica_problem = " ".join(str(error).split())[:200]
        rows.append(row)
    return rows
