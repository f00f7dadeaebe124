"""Django's SQLite backend for company databases, waiting for locks only as long as the caller allows.

SQLite's busy timeout is set when a connection opens, and opening it may already wait (another
process holding the file's lock). Inside a request (subscription.faults.lock_wait) a company
connection opens with the request's short timeout; anywhere else with the configured one.
"""

from django.db.backends.sqlite3 import base

from subscription.faults import lock_wait


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        seconds = lock_wait.get()
        if seconds is not None:
            params["timeout"] = seconds
        return params
