"""nnbook.plotting: the book's matplotlib style."""

from __future__ import annotations

import re

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest

from nnbook import plotting


@pytest.fixture(autouse=True)
def _restore_rcparams():
    with mpl.rc_context():
        yield


def test_palette_is_okabe_ito():
    assert dict(plotting.COLORS) == {
        "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73",
        "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
    }
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in plotting.COLORS.values())
    assert sorted(plotting.CYCLE) == sorted(plotting.COLORS.values())  # every colour once
    assert plotting.CYCLE[0] == "#0072B2" and plotting.CYCLE[-1] == "#F0E442"  # blue first, yellow last


def test_use_style_sets_the_rcparams_and_cycle():
    mpl.rcParams["font.size"] = 23.0
    plotting.use_style()
    for key, value in plotting.STYLE.items():
        got = mpl.rcParams[key]
        assert (list(got) if isinstance(got, (list, tuple)) else got) == (
            list(value) if isinstance(value, tuple) else value
        ), key
    assert mpl.rcParams["font.size"] == 11
    colors = [c.upper() for c in mpl.rcParams["axes.prop_cycle"].by_key()["color"]]
    assert colors == list(plotting.CYCLE)
    _, ax = plt.subplots()
    (line,) = ax.plot([0, 1], [0, 1])
    assert line.get_color().upper() == plotting.CYCLE[0]


def test_use_style_is_idempotent_and_overridable():
    plotting.use_style()
    first = dict(mpl.rcParams)
    plotting.use_style()
    assert dict(mpl.rcParams) == first
    mpl.rcParams["lines.linewidth"] = 3.0  # a chapter may still override one setting
    assert mpl.rcParams["lines.linewidth"] == 3.0
    assert mpl.rcParams["axes.grid"] is True
