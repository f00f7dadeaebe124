"""Azerbaijani text rules for search and sorting: İ/i and I/ı, and the alphabet's own order.

SQLite knows neither, so every SQLite connection gets an `AZ_FOLD()` function and an `az`
collation; PostgreSQL uses its ICU collation `az-x-icu` and lower().
"""

from functools import lru_cache

from django.db import models
from django.db.backends.signals import connection_created
from django.db.models.functions import Collate
from django.dispatch import receiver

ALPHABET = "abcçdeəfgğhxıijkqlmnoöprsştuüvyz"
_ORDER = {letter: index for index, letter in enumerate(ALPHABET)}


def az_fold(text: str | None) -> str:
    """Lower-case with Azerbaijani rules (İ→i, I→ı), for case-insensitive matching."""
    if text is None:
        return ""
    return text.replace("İ", "i").replace("I", "ı").lower()


@lru_cache(maxsize=65536)
def az_sort_key(text: str | None) -> tuple:
    """A key that sorts words in Azerbaijani alphabetical order (letters outside it go after)."""
    folded = az_fold(text)
    return tuple((_ORDER.get(char, len(ALPHABET) + ord(char))) for char in folded)


def az_collation_key(*parts: str | None) -> str:
    """A text that sorts like `parts` in Azerbaijani order under any database collation.

    Each letter becomes two digits (its place in the alphabet, from 01); other characters 99; the
    parts are joined by 00, so "Ali" sorts before "Aliyev". Digit strings compare the same way in
    every collation, so the column can be indexed and ordered without a custom collation.
    """
    encoded = []
    for part in parts:
        encoded.append("".join(f"{_ORDER[char] + 1:02d}" if char in _ORDER else "99" for char in az_fold(part)))
    return "00".join(encoded)


def _az_collation(left: str, right: str) -> int:
    a, b = az_sort_key(left), az_sort_key(right)
    return (a > b) - (a < b)


@receiver(connection_created)
def _register_sqlite_functions(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("AZ_FOLD", 1, az_fold, deterministic=True)
        connection.connection.create_collation("az", _az_collation)


class AzFold(models.Func):
    """Azerbaijani case folding inside the database, for icontains-like search."""

    function = "AZ_FOLD"
    output_field = models.TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="LOWER(TRANSLATE(%(expressions)s, 'İI', 'iı'))", **extra_context
        )


class AzCollate(models.Func):
    """`field` compared in Azerbaijani alphabetical order, on whichever database runs the query."""

    template = "%(expressions)s"
    collations = {"sqlite": "az", "postgresql": "az-x-icu"}

    def __init__(self, field) -> None:
        super().__init__(models.F(field) if isinstance(field, str) else field)

    def as_sql(self, compiler, connection, **extra_context):
        collation = self.collations.get(connection.vendor)
        if collation is None:
            return compiler.compile(self.source_expressions[0])
        return Collate(self.source_expressions[0], collation).as_sql(compiler, connection, **extra_context)


def az_ordered(field: str, *, descending: bool = False):
    """An order_by() expression sorting `field` in Azerbaijani alphabetical order."""
    expression = AzCollate(field)
    return expression.desc() if descending else expression.asc()
