"""One matplotlib style for every figure of the book.

Call :func:`use_style` once at the top of a chapter (after importing matplotlib).
It sets a colour-blind-safe colour cycle (the Okabe-Ito palette), readable font
sizes, a modest default figure size and a resolution that keeps PNGs small, so
every figure of the book looks the same and pages stay light.

>>> from nnbook.plotting import use_style, COLORS
>>> use_style()
>>> COLORS["blue"]
'#0072B2'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["COLORS", "CYCLE", "STYLE", "use_style"]

#: The eight colours of the Okabe-Ito palette (Okabe and Ito, 2008), which stay distinct
#: for the common forms of colour blindness; names map to hex strings.
COLORS: Mapping[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}

#: The order in which lines take colours, strong and well separated colours first
#: and yellow (weak on white) last.
CYCLE: tuple[str, ...] = tuple(
    COLORS[name] for name in ("blue", "orange", "green", "vermillion", "purple", "sky_blue", "black", "yellow")
)

#: The rcParams that :func:`use_style` applies.
STYLE: Mapping[str, Any] = {
    "figure.figsize": (6.0, 3.5),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.constrained_layout.use": True,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "lines.linewidth": 2.0,
    "lines.markersize": 5,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "image.cmap": "viridis",
    # Text as paths keeps SVG output independent of installed fonts; no timestamps in PDFs.
    "svg.fonttype": "path",
    "svg.hashsalt": "nnbook",
    "pdf.fonttype": 42,
}


def use_style() -> None:
    """Apply the book's matplotlib style (Okabe-Ito colour cycle, font sizes, figure size).

    Idempotent: calling it again changes nothing. It only touches the rcParams in
    :data:`STYLE` and the colour cycle, so a chapter may still override a single
    setting after calling it.
    """
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(STYLE)
    mpl.rcParams["axes.prop_cycle"] = cycler(color=list(CYCLE))
