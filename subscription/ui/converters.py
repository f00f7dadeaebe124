"""The `<id:pk>` path converter of every URL with a record id (registered once, in SubscriptionConfig.ready).

Django's `<int:...>` accepts any number of digits, and a number past the database's 64-bit ids
made SQLite raise "integer too large" (a 500). Such an id is no record: the URL does not match (404).
"""

MAX_ID = 2**63 - 1


class IdConverter:
    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        if len(value) > len(str(MAX_ID)):
            raise ValueError(value)  # no match: 404 (and no int() of a thousand digits)
        number = int(value)
        if number > MAX_ID:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))
