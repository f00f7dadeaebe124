"""Draw the one-glyph font static/fonts/manat.woff: the manat sign (₼, U+20BC), for screens whose fonts
lack it (most Linux systems, older Windows), where it would be an empty box.

The stylesheet uses it only for that character (`unicode-range: U+20BC`). Rebuilding it needs
fontTools, which the product does not (`pip install fonttools==4.68.0` in any Python, then
`python docs/fonts/make_manat_font.py`).
"""

import math
from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

OUT = Path(__file__).resolve().parents[2] / "static" / "fonts" / "manat.woff"
WIDTH, STROKE = 620, 74
CENTRE_X, CENTRE_Y, OUTER = 310, 250, 250  # the arch; its legs stand on the baseline
STEM_TOP = 700


def arc(radius: float, start: float, end: float, steps: int = 24) -> list[tuple[int, int]]:
    return [
        (
            round(CENTRE_X + radius * math.cos(math.radians(start + (end - start) * n / steps))),
            round(CENTRE_Y + radius * math.sin(math.radians(start + (end - start) * n / steps))),
        )
        for n in range(steps + 1)
    ]


def polygon(pen: TTGlyphPen, points: list[tuple[int, int]]) -> None:
    pen.moveTo(points[0])
    for point in points[1:]:
        pen.lineTo(point)
    pen.closePath()


def manat_glyph():
    pen = TTGlyphPen(None)
    inner = OUTER - STROKE
    left, right = CENTRE_X - OUTER, CENTRE_X + OUTER
    # The arch with its legs, clockwise: up the outer left, over the top, down the right, back inside.
    polygon(
        pen,
        [(left, 0), *arc(OUTER, 180, 0), (right, 0), (right - STROKE, 0), *arc(inner, 0, 180), (left + STROKE, 0)],
    )
    # The stem through the middle, from the baseline to above the arch.
    half = STROKE // 2
    polygon(pen, [(CENTRE_X - half, 0), (CENTRE_X - half, STEM_TOP), (CENTRE_X + half, STEM_TOP), (CENTRE_X + half, 0)])
    return pen.glyph()


def main() -> None:
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "manat"])
    builder.setupCharacterMap({0x20BC: "manat"})
    builder.setupGlyf({".notdef": TTGlyphPen(None).glyph(), "manat": manat_glyph()})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "manat": (WIDTH, 0)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "MedRep Manat", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    builder.font.flavor = "woff"
    builder.save(OUT)
    print(f"{OUT}: {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
