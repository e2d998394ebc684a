"""nnbook.widgets: one plotting function, live sliders, and precomputed frames for the static site."""

from __future__ import annotations

import base64
import html

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from ipywidgets.widgets.widget_link import Link

from nnbook.widgets import InteractiveFigure, figure_to_png, format_value, interactive_figure

calls: list[dict] = []


def plot(freq, style="solid"):
    calls.append({"freq": freq, "style": style})
    fig, ax = plt.subplots(figsize=(1.5, 1))
    x = np.linspace(0, 1, 50)
    ax.plot(x, np.sin(2 * np.pi * freq * x), linestyle=style)
    ax.set_axis_off()  # no text: fast to render
    return fig


def alt(freq, style="solid"):
    return f"A {style} sine wave with {freq} periods & <{freq}> peaks."


@pytest.fixture(scope="module")
def built():
    calls.clear()
    w = interactive_figure(plot, {"freq": [1, 2, 3], "style": ["solid", "dashed"]}, alt=alt, dpi=30)
    return w, list(calls), plt.get_fignums()


@pytest.fixture
def figure(built):
    w = built[0]
    yield w
    for slider in w.sliders.values():  # back to the start for the next test
        slider.index = 0


def test_frames_and_calls(built):
    figure, calls, open_figures = built
    assert isinstance(figure, InteractiveFigure) and isinstance(figure, widgets.VBox)
    assert len(figure.frames) == 6 and set(figure.frames) == {(i, j) for i in range(3) for j in range(2)}
    assert len(calls) == 6  # one drawing per combination
    assert {(c["freq"], c["style"]) for c in calls} == {(f, s) for f in (1, 2, 3) for s in ("solid", "dashed")}
    assert open_figures == []  # every figure closed after rendering
    assert repr(figure) == "InteractiveFigure(params=['freq', 'style'], grid=3x2)"


def test_sliders_stacks_and_jslinks(figure):
    assert list(figure.sliders) == ["freq", "style"]
    freq = figure.sliders["freq"]
    assert isinstance(freq, widgets.SelectionSlider) and freq.description == "freq"
    assert freq.options == (("1", 1), ("2", 2), ("3", 3)) and freq.index == 0 and freq.label == "1"
    # one stack at the first level, one under each of its 3 children at the second
    assert [len(level) for level in figure.stacks] == [1, 3]
    assert all(isinstance(s, widgets.Stack) for level in figure.stacks for s in level)
    assert len(figure._links) == 4 and all(isinstance(link, Link) for link in figure._links)
    sources = {(link.source[0].description, link.source[1], link.target[1]) for link in figure._links}
    assert sources == {("freq", "index", "selected_index"), ("style", "index", "selected_index")}
    targets = [link.target[0] for link in figure._links]
    assert targets[0] is figure.stacks[0][0] and set(map(id, targets[1:])) == set(map(id, figure.stacks[1]))
    assert figure.children[-1] is figure.stacks[0][0]


def test_values_follow_the_sliders(figure):
    assert figure.values == {"freq": 1, "style": "solid"}
    assert figure.indices == (0, 0)
    assert figure.visible_frame is figure.frames[(0, 0)]
    figure.sliders["freq"].index = 2
    figure.sliders["style"].index = 1
    assert figure.values == {"freq": 3, "style": "dashed"}
    assert figure.indices == (2, 1)
    assert all(s.selected_index == 1 for s in figure.stacks[1])
    assert figure.visible_frame is figure.frames[(2, 1)]
    assert alt_of(figure.visible_frame) == alt(3, "dashed")


def alt_of(frame):
    value = frame.value
    start = value.index('alt="') + 5
    return html.unescape(value[start:value.index('"', start)])


def test_alt_text_and_png_in_the_html(figure):
    for (i, j), frame in figure.frames.items():
        assert isinstance(frame, widgets.HTML)
        assert alt_of(frame) == alt([1, 2, 3][i], ["solid", "dashed"][j])
        assert "&amp;" in frame.value and "&lt;" in frame.value  # escaped, cannot break the tag
        data = frame.value.split("base64,")[1].split('"')[0]
        assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"
    # different parameters, different pictures
    assert figure.frames[(0, 0)].value.split("base64,")[1] != figure.frames[(2, 0)].value.split("base64,")[1]


def test_description_header():
    w = interactive_figure(plot, {"freq": [1]}, alt=alt, description="Slide <h>", dpi=20)
    assert isinstance(w.children[0], widgets.HTML) and "Slide &lt;h&gt;" in w.children[0].value
    assert len(w.frames) == 1


def test_figure_to_png_is_reproducible():
    a, b = plot(1), plot(1)
    assert figure_to_png(a, dpi=30) == figure_to_png(b, dpi=30)
    assert b"Software" not in figure_to_png(a, dpi=30)
    plt.close("all")


def test_format_value():
    assert format_value(3) == "3" and format_value(np.int64(4)) == "4"
    assert format_value(0.001) == "0.001" and format_value(1e-8) == "1e-08" and format_value(0.123456) == "0.1235"
    assert format_value(True) == "True" and format_value("central") == "central"


def not_a_figure(freq):
    return "figure"


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(plot="plot"), TypeError, "plot must be a callable"),
        (dict(alt="text"), TypeError, "alt must be a callable"),
        (dict(params=[("freq", [1])]), TypeError, "params must be a mapping"),
        (dict(params={}), ValueError, "params must name at least one parameter"),
        (dict(params={"freq": []}), ValueError, r"params\['freq'\] must hold at least one value"),
        (dict(params={"freq": "123"}), TypeError, r"params\['freq'\] must be a list"),
        (dict(params={"freq": 5}), TypeError, r"params\['freq'\] must be a list of values, got int"),
        (dict(params={"2freq": [1]}), TypeError, "params keys must be parameter names"),
        (dict(params={"freq": [0.10001, 0.10002]}), ValueError, r"params\['freq'\] has values that look the same"),
        (dict(params={"freq": [1, 2, 3]}, max_images=2), ValueError, "more than max_images=2"),
        (dict(max_images=0), ValueError, "max_images must be a positive integer"),
        (dict(description=5), TypeError, "description must be a string"),
        (dict(plot=not_a_figure), TypeError, "plot must return a matplotlib Figure"),
        (dict(alt=lambda freq: ""), ValueError, "alt returned an empty alt text"),
        (dict(alt=lambda freq: 3), TypeError, "alt must return a string"),
    ],
)
def test_bad_input(kwargs, exc, match):
    args = dict(plot=plot, params={"freq": [1, 2]}, alt=alt, dpi=20)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        interactive_figure(args.pop("plot"), args.pop("params"), **args)
    assert plt.get_fignums() == []  # no figure left open after an error either
