"""Small server-rendered SVG charts: no JavaScript, no network, readable without colour.

{% load charts %}
{% bar_chart labels series %}      series: [(name, [values...]), ...] or one list of values
{% line_chart labels series %}

A bar chart whose labels do not fit under their bars (names of people and products) lays its bars
on their side instead, one row per label with the whole label beside it, wrapped onto two lines.
"""

from decimal import Decimal

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from subscription.ui.money import format_number

register = template.Library()

COLOURS = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#dc3545", "#6c757d"]
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 240, 64, 36, 12
AXIS_STEPS = 4
FONT = 11  # SVG units; the chart scrolls sideways on a phone rather than shrinking its text (app.css)
GLYPH = FONT * 0.6  # an average character's width, to tell whether a label fits its room
# Bars on their side: the labels' column, a row per label (taller when a label takes two lines).
LABEL_COLUMN, LABEL_LINES, LINE = 220, 2, FONT + 3


def _series(series) -> list[tuple[str, list[float]]]:
    if series and not isinstance(series[0], (list, tuple)):
        return [("", [float(value or 0) for value in series])]
    return [(str(name), [float(value or 0) for value in values]) for name, values in series]


def axis_step(largest: float) -> Decimal:
    """A round step (1, 2, 2.5 or 5 times a power of ten) that AXIS_STEPS steps reach `largest` with."""
    if largest <= 0:
        return Decimal(1)
    wanted = Decimal(repr(largest)) / AXIS_STEPS
    power = Decimal(10) ** (wanted.adjusted())
    for factor in (1, 2, Decimal("2.5"), 5, 10):
        if factor * power >= wanted:
            return (factor * power).normalize()
    return 10 * power  # not reached: 10 × the power is always enough


def axis_labels(largest: float) -> list[str]:
    """The value axis's labels from 0 up, in the active language's notation: 6 000 and 9,8, never 6k."""
    step = axis_step(largest)
    return [format_number((step * n).normalize()) for n in range(AXIS_STEPS + 1)]


def _value(value: float) -> str:
    """A value in a tooltip, in the active language's notation."""
    return format_number(Decimal(repr(value)).quantize(Decimal("0.01")).normalize() if value % 1 else int(value))


def _top(all_series) -> float:
    largest = max([value for _name, values in all_series for value in values] + [0])
    return float(axis_step(largest) * AXIS_STEPS)


def _every(labels) -> int:
    """Under many bars only every n-th label is written: the n that leaves at most 12."""
    return max(1, int(len(labels) / 12) + (len(labels) % 12 > 0)) if len(labels) > 12 else 1


def _fit_under_bars(labels) -> bool:
    """Whether each written label fits in the room under its bars (with a little space between)."""
    room = (WIDTH - LEFT) / max(len(labels), 1) * _every(labels)
    return all(len(str(label)) * GLYPH <= room - 4 for label in labels)


def _frame(labels, all_series, body: str, title: str) -> str:
    largest = max([value for _name, values in all_series for value in values] + [0])
    plot_h = HEIGHT - BOTTOM - TOP
    grid = "".join(
        format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#dee2e6"/>'
            '<text x="{}" y="{}" font-size="{}" text-anchor="end" fill="#495057">{}</text>',
            LEFT,
            WIDTH,
            _px(y),
            _px(y),
            LEFT - 4,
            _px(y + 3),
            FONT,
            label,
        )
        for step, label in enumerate(axis_labels(largest))
        for y in [TOP + plot_h - plot_h * step / AXIS_STEPS]
    )
    step = (WIDTH - LEFT) / max(len(labels), 1)
    every = _every(labels)
    axis = "".join(
        format_html(
            '<text x="{}" y="{}" font-size="{}" text-anchor="middle" fill="#495057">{}</text>',
            _px(LEFT + step * (index + 0.5)),
            HEIGHT - BOTTOM + 14,
            FONT,
            label,
        )
        for index, label in enumerate(labels)
        if index % every == 0
    )
    return _figure(HEIGHT, title, grid + body + axis, all_series)


def _figure(height: float, title: str, drawing: str, all_series) -> str:
    """The SVG (`drawing` is already escaped) in its figure, with a legend when there are named series."""
    legend = ""
    if len(all_series) > 1 or all_series[0][0]:
        legend = format_html_join(
            "",
            # A class per colour (static/css/app.css), not a style attribute: the CSP allows no inline style.
            '<span class="me-3"><span class="chart-swatch chart-swatch-{}" aria-hidden="true"></span> {}</span>',
            ((index % len(COLOURS), name) for index, (name, _values) in enumerate(all_series)),
        )
    return format_html(
        '<figure class="chart mb-0"><div class="chart-scroll"><svg viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'class="w-100" preserveAspectRatio="xMidYMid meet">{}</svg></div>'
        '<figcaption class="small text-body-secondary">{}</figcaption></figure>',
        WIDTH,
        _px(height),
        title,
        mark_safe(drawing),
        legend,
    )


def wrap_label(label: str, *, chars: int, lines: int = LABEL_LINES) -> list[str]:
    """`label` broken at spaces into at most `lines` lines of up to `chars` characters, at its " · " first
    ("Aynur Quliyeva ·" over "Kardiomaks 10 mg"); a cut line ends in …"""
    text = " ".join(str(label).split())
    head, dot, tail = text.partition(" · ")
    if len(text) > chars and dot and lines > 1 and len(head) + 2 <= chars:
        return [f"{head} ·", *wrap_label(tail, chars=chars, lines=lines - 1)]
    words, out = text.split(), []
    while words and len(out) < lines:
        line = words.pop(0)
        while words and len(line) + 1 + len(words[0]) <= chars:
            line += " " + words.pop(0)
        out.append(line)
    if words:
        out[-1] += " " + " ".join(words)
    return [line if len(line) <= chars else line[: chars - 1] + "…" for line in out]


def _label_text(x: float, middle: float, label: str, chars: int) -> str:
    """A label right-aligned at `x`, its lines centred on `middle`; the whole label as its tooltip when cut."""
    lines = wrap_label(label, chars=chars)
    first = middle - (len(lines) - 1) * LINE / 2 + FONT * 0.35
    spans = format_html_join(
        "", '<tspan x="{}" y="{}">{}</tspan>', ((_px(x), _px(first + LINE * n), line) for n, line in enumerate(lines))
    )
    tooltip = format_html("<title>{}</title>", label) if " ".join(lines) != " ".join(str(label).split()) else ""
    return format_html('<text font-size="{}" text-anchor="end" fill="#495057">{}{}</text>', FONT, tooltip, spans)


def _sideways_bars(labels, all_series, title: str) -> str:
    """Bars on their side: a row per label with the whole label to its left, the values along the bottom."""
    chars = int(LABEL_COLUMN / GLYPH)
    lines = max(len(wrap_label(label, chars=chars)) for label in labels)
    row = LINE * lines + 8
    left, right = LABEL_COLUMN + 8, WIDTH - 16
    plot_h = row * len(labels)
    top_value, largest = _top(all_series), max([v for _n, values in all_series for v in values] + [0])
    grid = "".join(
        format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#dee2e6"/>'
            '<text x="{}" y="{}" font-size="{}" text-anchor="middle" fill="#495057">{}</text>',
            _px(x),
            _px(x),
            TOP,
            _px(TOP + plot_h),
            _px(x),
            _px(TOP + plot_h + 14),
            FONT,
            label,
        )
        for step, label in enumerate(axis_labels(largest))
        for x in [left + (right - left) * step / AXIS_STEPS]
    )
    bar = row * 0.8 / max(len(all_series), 1)
    bars = "".join(
        format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>',
            left,
            _px(TOP + row * index + row * 0.1 + bar * number),
            _px((right - left) * value / (top_value or 1)),
            _px(max(bar - 1, 1)),
            COLOURS[number % len(COLOURS)],
            labels[index] if index < len(labels) else "",
            _value(value),
        )
        for number, (_name, values) in enumerate(all_series)
        for index, value in enumerate(values)
    )
    names = "".join(_label_text(left - 6, TOP + row * (i + 0.5), label, chars) for i, label in enumerate(labels))
    return _figure(TOP + plot_h + BOTTOM - 12, title, grid + bars + names, all_series)


def _px(value: float) -> str:
    """A coordinate as text (format_html escapes its arguments, so numbers are formatted first)."""
    return f"{value:.1f}"


def _scale(value: float, top_value: float) -> float:
    return (HEIGHT - BOTTOM - TOP) * value / (top_value or 1)


@register.simple_tag
def bar_chart(labels, series, title: str = ""):
    labels, all_series = list(labels), _series(list(series))
    if labels and not _fit_under_bars(labels):
        return _sideways_bars(labels, all_series, title)
    top_value = _top(all_series)
    step = (WIDTH - LEFT) / max(len(labels), 1)
    bar = step * 0.8 / max(len(all_series), 1)
    bars = "".join(
        format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>',
            _px(LEFT + step * index + step * 0.1 + bar * number),
            _px(HEIGHT - BOTTOM - _scale(value, top_value)),
            _px(max(bar - 1, 1)),
            _px(_scale(value, top_value)),
            COLOURS[number % len(COLOURS)],
            labels[index] if index < len(labels) else "",
            _value(value),
        )
        for number, (_name, values) in enumerate(all_series)
        for index, value in enumerate(values)
    )
    return _frame(labels, all_series, bars, title)


@register.simple_tag
def line_chart(labels, series, title: str = ""):
    labels, all_series = list(labels), _series(list(series))
    top_value = _top(all_series)
    step = (WIDTH - LEFT) / max(len(labels), 1)
    lines = []
    for number, (_name, values) in enumerate(all_series):
        colour = COLOURS[number % len(COLOURS)]
        points = [
            (LEFT + step * (index + 0.5), HEIGHT - BOTTOM - _scale(value, top_value))
            for index, value in enumerate(values)
        ]
        lines.append(
            format_html(
                '<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>',
                colour,
                " ".join(f"{x:.1f},{y:.1f}" for x, y in points),
            )
        )
        lines.extend(
            format_html(
                '<circle cx="{}" cy="{}" r="3" fill="{}"><title>{}: {}</title></circle>',
                _px(x),
                _px(y),
                colour,
                labels[i] if i < len(labels) else "",
                _value(values[i]),
            )
            for i, (x, y) in enumerate(points)
        )
    return _frame(labels, all_series, "".join(lines), title)


@register.filter
def percent(part, whole) -> str:
    """`{{ done|percent:planned }}` → '75%'."""
    try:
        whole = Decimal(whole)
        return f"{Decimal(part) * 100 / whole:.0f}%" if whole else "—"
    except (TypeError, ValueError, ArithmeticError):
        return "—"
