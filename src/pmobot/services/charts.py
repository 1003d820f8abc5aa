"""Charts as PNG images, drawn with matplotlib's Agg backend (no display, no pyplot state).

Drawing is slow and holds the GIL only in parts: callers run it in a worker
thread (``asyncio.to_thread``). The same input always gives the same bytes:
fixed size and fonts, no timestamp in the file, colours reduced to a small
palette (which also keeps the image small enough for a Teams card).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from PIL import Image

# At most this wide: Teams shows card images up to 1024 px, and Slack previews at that size.
WIDTH_PX = 960
_DPI = 96
_ROW_PX = 22
_FRAME_PX = 120
# Colours by kind of work: under way, committed, candidate ("if approved"), late.
COLOURS = {"under_way": "#2b6cb0", "committed": "#38a169", "candidate": "#a0aec0", "late": "#e53e3e"}
_PALETTE_COLOURS = 32


@dataclass(frozen=True)
class Bar:
    label: str
    start: date
    end: date
    kind: str  # under_way | committed | candidate
    late: bool = False
    desired: date | None = None


@dataclass(frozen=True)
class Legend:
    """The words of the chart, already in the reader's language."""

    title: str
    today: str
    kinds: dict[str, str]  # kind -> its name in the legend
    late: str
    desired: str  # the mark at a need's desired date


def date2num(day: date) -> float:
    """A day along the time axis: its ordinal (the ticks are placed and named by the caller)."""
    return float(day.toordinal())


def timeline_png(bars: Sequence[Bar], *, months: Sequence[tuple[date, str]], today: date, legend: Legend) -> bytes:
    """A timeline (one row per bar, months along the bottom) as PNG bytes, ``WIDTH_PX`` wide."""
    rows = max(1, len(bars))
    height_px = _FRAME_PX + _ROW_PX * rows
    figure = Figure(figsize=(WIDTH_PX / _DPI, height_px / _DPI), dpi=_DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.22, _FRAME_PX * 0.45 / height_px, 0.75, 1 - _FRAME_PX * 0.8 / height_px))
    for row, bar in enumerate(bars):
        start = date2num(bar.start)
        width = max(1.0, date2num(bar.end + timedelta(days=1)) - start)
        colour = COLOURS["late"] if bar.late else COLOURS.get(bar.kind, COLOURS["committed"])
        axes.barh(row, width, left=start, height=0.6, color=colour, hatch="//" if bar.kind == "candidate" else None,
                  edgecolor="white", linewidth=0)
        if bar.desired is not None:
            axes.plot([date2num(bar.desired)] * 2, [row - 0.4, row + 0.4], color="#1a202c", linewidth=1.2)
    axes.set_yticks(range(len(bars)), [bar.label for bar in bars], fontsize=8)
    axes.set_ylim(rows - 0.5, -0.5)
    if months:
        # A tick at every month, so each end can be read against one; with many, one name in N.
        step = -(-len(months) // 12)
        axes.set_xticks([date2num(first) for first, _ in months], minor=True)
        axes.set_xticks([date2num(first) for first, _ in months[::step]], [name for _, name in months[::step]],
                        fontsize=8)
        axes.set_xlim(date2num(months[0][0]), date2num(_after(months[-1][0])))
    axes.axvline(date2num(today), color="#d69e2e", linewidth=1.2)
    axes.grid(axis="x", which="both", color="#e2e8f0", linewidth=0.8)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.set_title(legend.title, fontsize=10, loc="left")
    handles: list[Artist] = [Patch(color=COLOURS[kind], label=name) for kind, name in legend.kinds.items()]
    handles.append(Patch(color=COLOURS["late"], label=legend.late))
    handles.append(Patch(color="#d69e2e", label=legend.today))
    if any(bar.desired is not None for bar in bars):
        handles.append(Line2D([], [], color="#1a202c", linewidth=1.2, label=legend.desired))
    figure.legend(handles=handles, loc="lower center", ncols=len(handles), fontsize=8, frameon=False)
    raw = io.BytesIO()
    figure.savefig(raw, format="png", dpi=_DPI, metadata={"Software": None})
    return _small(raw.getvalue())


def _after(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


def _small(png: bytes) -> bytes:
    """The same picture with a small palette: a fraction of the size, and the same bytes each time."""
    with Image.open(io.BytesIO(png)) as image:
        reduced = image.convert("RGB").quantize(colors=_PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT)
        out = io.BytesIO()
        reduced.save(out, format="PNG", optimize=True)
    return out.getvalue()


# Project health, in the colours the owners chose, and grey for projects without a status yet.
HEALTH_COLOURS = {"green": "#38a169", "amber": "#d69e2e", "red": "#e53e3e", "none": "#a0aec0"}


def health_png(counts: Sequence[tuple[str, str, int]], *, title: str) -> bytes:
    """Horizontal bars, one per health (``(health, its name, count)``, in order), as PNG bytes."""
    rows = max(1, len(counts))
    height_px = _FRAME_PX + 34 * rows
    figure = Figure(figsize=(WIDTH_PX / _DPI, height_px / _DPI), dpi=_DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.22, _FRAME_PX * 0.3 / height_px, 0.72, 1 - _FRAME_PX * 0.6 / height_px))
    top = max([count for _, _, count in counts] + [1])
    for row, (health, _, count) in enumerate(counts):
        axes.barh(row, count, height=0.6, color=HEALTH_COLOURS.get(health, HEALTH_COLOURS["none"]), linewidth=0)
        axes.text(count + top * 0.01, row, str(count), va="center", fontsize=9)
    axes.set_yticks(range(len(counts)), [name for _, name, _ in counts], fontsize=9)
    axes.set_ylim(rows - 0.5, -0.5)
    axes.set_xlim(0, top * 1.1)
    axes.grid(axis="x", color="#e2e8f0", linewidth=0.8)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.set_title(title, fontsize=10, loc="left")
    raw = io.BytesIO()
    figure.savefig(raw, format="png", dpi=_DPI, metadata={"Software": None})
    return _small(raw.getvalue())
