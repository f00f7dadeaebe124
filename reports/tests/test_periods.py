import datetime

import pytest

from reports.selectors.periods import Period, months_in, preset_period, weeks_in, working_days

D = datetime.date


@pytest.mark.parametrize(
    ("preset", "today", "start", "end"),
    [
        ("this_month", D(2025, 2, 14), D(2025, 2, 1), D(2025, 2, 28)),
        ("last_month", D(2025, 1, 31), D(2024, 12, 1), D(2024, 12, 31)),
        ("last_month", D(2024, 3, 31), D(2024, 2, 1), D(2024, 2, 29)),
        ("this_quarter", D(2025, 5, 5), D(2025, 4, 1), D(2025, 6, 30)),
        ("this_quarter", D(2025, 12, 31), D(2025, 10, 1), D(2025, 12, 31)),
        ("this_year", D(2025, 7, 1), D(2025, 1, 1), D(2025, 12, 31)),
    ],
)
def test_presets(preset, today, start, end):
    assert preset_period(preset, today) == Period(start, end)


def test_buckets_and_working_days():
    period = Period(D(2025, 1, 30), D(2025, 3, 2))
    assert months_in(period) == [D(2025, 1, 1), D(2025, 2, 1), D(2025, 3, 1)]
    weeks = weeks_in(period)
    assert weeks[0] == D(2025, 1, 27) and weeks[-1] == D(2025, 2, 24)
    days = [period.start + datetime.timedelta(n) for n in range(period.days)]
    assert working_days(period) == sum(day.weekday() < 5 for day in days) == 22
