"""A single-database variant of the project, for bench/throughput.py's baseline only.

Every app's tables (the companies' doctors included) live in the master database: no router, no
company databases, and instead of TenantMiddleware a bench-only middleware that sets
`request.tenant` to the user's company without selecting any database. The rest (apps, the other
middleware, templates, production mode) is bench/settings_routed.py, i.e. the project's.
"""

from bench.settings_routed import *  # noqa: F403

TENANT_MIDDLEWARE = "subscription.middleware.TenantMiddleware"
if TENANT_MIDDLEWARE not in MIDDLEWARE:  # noqa: F405
    raise RuntimeError(f"{TENANT_MIDDLEWARE} is no longer in MIDDLEWARE: update bench/settings_single_db.py.")
MIDDLEWARE = [
    "bench.single_db_middleware.CompanyWithoutRoutingMiddleware" if name == TENANT_MIDDLEWARE else name
    for name in MIDDLEWARE  # noqa: F405
]
DATABASE_ROUTERS: list[str] = []
