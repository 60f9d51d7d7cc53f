"""Digest charts drawn server-side with matplotlib: inline SVG for the API's HTML (any browser
draws it, no script) and PNG for e-mail (most mail clients strip SVG), from the same figure.

matplotlib rather than pygal: it is the most used and best kept plotting library, its Agg
backend needs no system library, and one figure gives both formats (pygal would need cairosvg
and libcairo for PNG). Figures are built with the object API (no pyplot global state), so
concurrent renders in worker threads do not interfere.
"""

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure

# Fixed ids in the SVG (the same digest renders to the same bytes) and text kept as text.
matplotlib.rcParams["svg.hashsalt"] = "resonance-digest"
matplotlib.rcParams["svg.fonttype"] = "none"

INK = "#1f2937"
CURRENT = "#2563eb"
PREVIOUS = "#9ca3af"
_PROLOG = re.compile(rb"^.*?(?=<svg)", re.S)


@dataclass(frozen=True)
class Chart:
    name: str  # also the e-mail's content id
    title: str
    svg: str  # inline <svg> element
    png: bytes


def _render(name: str, title: str, figure: Figure) -> Chart:
    figure.tight_layout()
    svg = io.BytesIO()
    figure.savefig(svg, format="svg", metadata={"Date": None})
    png = io.BytesIO()
    figure.savefig(png, format="png", dpi=110)
    inline = _PROLOG.sub(b"", svg.getvalue()).decode()
    # Give the element a name the page (and tests) can find, and let it scale with the page.
    inline = inline.replace(
        "<svg ", f'<svg class="chart" data-chart="{name}" role="img" aria-label="{title}" ', 1
    )
    return Chart(name=name, title=title, svg=inline, png=png.getvalue())


def daily_chart(
    title: str, current: Sequence[int], previous: Sequence[int], labels: tuple[str, str]
) -> Chart:
    """Shares per day of this month against the month before, by day of the month."""
    figure = Figure(figsize=(6.4, 2.6))
    ax = figure.subplots()
    ax.plot(range(1, len(previous) + 1), previous, color=PREVIOUS, linewidth=1.5, label=labels[1])
    ax.plot(range(1, len(current) + 1), current, color=CURRENT, linewidth=2.2, label=labels[0])
    ax.fill_between(range(1, len(current) + 1), current, color=CURRENT, alpha=0.12)
    ax.set_xlim(1, max(len(current), len(previous), 2))
    ax.set_ylim(bottom=0)
    ax.set_xlabel("day of the month", color=INK)
    ax.legend(frameon=False, loc="upper left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _render("daily", title, figure)


def bar_chart(name: str, title: str, labels: Sequence[str], values: Sequence[int]) -> Chart:
    """Horizontal bars, largest on top (most shared items, most active people)."""
    figure = Figure(figsize=(6.4, 0.45 * max(len(values), 1) + 0.8))
    ax = figure.subplots()
    shown = [label if len(label) <= 48 else label[:47] + "…" for label in labels]
    positions = list(range(len(values)))[::-1]
    ax.barh(positions, values, color=CURRENT)
    ax.set_yticks(positions, shown)
    for position, value in zip(positions, values, strict=True):
        ax.text(value, position, f" {value}", va="center", color=INK)
    ax.set_xlim(0, max([*values, 1]) * 1.15)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _render(name, title, figure)
