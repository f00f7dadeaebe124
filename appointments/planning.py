"""How often a doctor of each category should be called on in a month: what a monthly plan suggests.

The company's figures are targets, kept by the reports app, which registers them here from its
AppConfig.ready() (a lower app never imports a higher one). Without them the usual defaults apply.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

DEFAULT_FREQUENCY = {"A": 4, "B": 2, "C": 1}

_source: Callable[[datetime.date], dict[str, int]] | None = None


def register_frequency_source(source: Callable[[datetime.date], dict[str, int]]) -> None:
    """Called by the app that keeps the company's visit-frequency targets."""
    global _source
    _source = source


def frequency_by_category(month: datetime.date) -> dict[str, int]:
    """Calls a month per doctor category ({"A": 4, "B": 2, "C": 1} unless the company set others)."""
    figures = dict(DEFAULT_FREQUENCY)
    if _source is not None:
        figures.update(_source(month))
    return figures
