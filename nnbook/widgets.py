"""Interactive figures that work in a live kernel and in the static HTML book.

The book's widgets must respond in two places:

* in a live kernel (Jupyter, Binder, Colab), like any ipywidgets widget;
* in the published site, where there is no kernel at all.

:func:`interactive_figure` serves both from one plotting function. It draws the
figure once for every combination of parameter values (keep the grid small:
about 30 images at most), and builds

* one labelled ``ipywidgets.SelectionSlider`` per parameter, and
* a tree of ``ipywidgets.Stack`` widgets (one level per parameter) whose
  leaves hold the images,

then links each slider's ``index`` to the ``selected_index`` of every stack at
its level with ``ipywidgets.jslink``. The link runs in the browser, so
dragging a slider switches the image with no kernel behind the page. In a kernel
a Python callback also keeps the stacks in sync, so the widget's state seen from
Python (:attr:`InteractiveFigure.values`) always matches the sliders.

Each image is an ``<img>`` inside an ``ipywidgets.HTML`` widget, because
``ipywidgets.Image`` has no ``alt`` attribute: this way every image carries
the alt text returned by ``alt(**values)``.

Example
-------
>>> import numpy as np, matplotlib.pyplot as plt
>>> def plot(freq):
...     fig, ax = plt.subplots()
...     x = np.linspace(0, 1, 200)
...     ax.plot(x, np.sin(2 * np.pi * freq * x))
...     return fig
>>> w = interactive_figure(plot, {"freq": [1, 2, 3]},
...                        alt=lambda freq: f"A sine wave with {freq} periods.")
>>> w.values
{'freq': 1}
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets

__all__ = ["InteractiveFigure", "interactive_figure", "figure_to_png", "format_value"]

#: Refuse grids larger than this by default: every image ends up in the page.
MAX_IMAGES = 64


def format_value(value: Any) -> str:
    """How a parameter value is shown on its slider: numbers compactly (``0.001``, ``1e-08``)."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return f"{float(value):.4g}"
    return str(value)


def figure_to_png(fig: Any, *, dpi: float | None = None) -> bytes:
    """Render a matplotlib Figure to PNG bytes, reproducibly (no software/version metadata)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def _image_html(png: bytes, alt_text: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<img class="nnbook-frame" src="data:image/png;base64,{data}" '
        f'alt="{html.escape(alt_text, quote=True)}" style="max-width:100%;height:auto">'
    )


class InteractiveFigure(widgets.VBox):
    """A figure with one slider per parameter; built by :func:`interactive_figure`.

    Attributes
    ----------
    sliders : dict[str, ipywidgets.SelectionSlider]
        One slider per parameter, in the order of ``params``.
    stacks : list[list[ipywidgets.Stack]]
        ``stacks[k]`` are the stacks switched by the k-th slider.
    frames : dict[tuple[int, ...], ipywidgets.HTML]
        The image widget for each combination of slider indices.
    """

    def __init__(
        self,
        *,
        sliders: dict[str, widgets.SelectionSlider],
        stacks: list[list[widgets.Stack]],
        root: widgets.Widget,
        frames: dict[tuple[int, ...], widgets.HTML],
        header: widgets.Widget | None = None,
    ) -> None:
        children: list[widgets.Widget] = [] if header is None else [header]
        children += [*sliders.values(), root]
        super().__init__(children=children)
        self.add_class("nnbook-interactive-figure")
        self.sliders = sliders
        self.stacks = stacks
        self.frames = frames
        self._links = []
        for level, slider in enumerate(sliders.values()):
            for stack in stacks[level]:
                self._links.append(widgets.jslink((slider, "index"), (stack, "selected_index")))
            slider.observe(self._make_sync(level), names="index")

    def _make_sync(self, level: int) -> Callable[[dict[str, Any]], None]:
        def sync(change: dict[str, Any]) -> None:
            for stack in self.stacks[level]:
                stack.selected_index = change["new"]

        return sync

    @property
    def values(self) -> dict[str, Any]:
        """The parameter values the sliders show now."""
        return {name: slider.value for name, slider in self.sliders.items()}

    @property
    def indices(self) -> tuple[int, ...]:
        """The slider positions now (one index per parameter)."""
        return tuple(slider.index for slider in self.sliders.values())

    @property
    def visible_frame(self) -> widgets.HTML:
        """The image widget that the stacks show now (followed from Python's side)."""
        node: widgets.Widget = self.children[-1]
        while isinstance(node, widgets.Stack):
            node = node.children[node.selected_index]
        return node  # type: ignore[return-value]

    def __repr__(self) -> str:
        shape = "x".join(str(len(s.options)) for s in self.sliders.values())
        return f"InteractiveFigure(params={list(self.sliders)}, grid={shape})"


def _check_params(params: Any) -> dict[str, list[Any]]:
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a mapping of parameter name to a list of values, got {type(params).__name__}")
    if not params:
        raise ValueError("params must name at least one parameter, got an empty mapping")
    checked: dict[str, list[Any]] = {}
    for name, values in params.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise TypeError(f"params keys must be parameter names (identifiers), got {name!r}")
        if isinstance(values, (str, bytes, Mapping)):
            raise TypeError(f"params[{name!r}] must be a list of values, got {type(values).__name__}")
        try:
            values = list(values)
        except TypeError as exc:
            raise TypeError(f"params[{name!r}] must be a list of values, got {type(values).__name__}") from exc
        if not values:
            raise ValueError(f"params[{name!r}] must hold at least one value, got an empty list")
        labels = [format_value(v) for v in values]
        if len(set(labels)) != len(labels):
            raise ValueError(f"params[{name!r}] has values that look the same on a slider: {labels}")
        checked[name] = values
    return checked


def interactive_figure(
    plot: Callable[..., Any],
    params: Mapping[str, Sequence[Any]],
    *,
    alt: Callable[..., str],
    description: str | None = None,
    dpi: float | None = None,
    max_images: int = MAX_IMAGES,
) -> InteractiveFigure:
    """Build a figure with sliders that works in a kernel and in the static book.

    Parameters
    ----------
    plot : callable
        ``plot(**values)`` draws one figure and returns the matplotlib ``Figure``.
        It is called once per combination of values; each figure is closed after
        it is rendered, so nothing is displayed twice and no figure leaks.
    params : mapping of str to list
        Parameter name -> the values its slider offers, in slider order, e.g.
        ``{"h": [1e-1, 1e-2, 1e-3], "method": ["forward", "central"]}``.
        The first value of each list is the initial position.
    alt : callable
        ``alt(**values)`` returns the alt text (a non-empty string) of that image:
        what the figure shows, for readers who cannot see it.
    description : str, optional
        A sentence shown above the sliders.
    dpi : float, optional
        Resolution of the PNGs (default: matplotlib's ``savefig.dpi``).
    max_images : int
        Refuse larger grids (every image ends up in the page). Default 64.

    Returns
    -------
    InteractiveFigure
        An ``ipywidgets.VBox``: the sliders, then the images. Make it the last
        expression of a cell to display it.

    Raises
    ------
    TypeError
        If ``plot`` or ``alt`` is not callable, ``params`` is not a mapping of
        names to lists, ``plot`` does not return a Figure or ``alt`` not a string.
    ValueError
        If a parameter has no values, the grid has more than ``max_images``
        images, or ``alt`` returns an empty string.
    """
    if not callable(plot):
        raise TypeError(f"plot must be a callable returning a matplotlib Figure, got {type(plot).__name__}")
    if not callable(alt):
        raise TypeError(f"alt must be a callable returning the alt text of each image, got {type(alt).__name__}")
    if description is not None and not isinstance(description, str):
        raise TypeError(f"description must be a string or None, got {type(description).__name__}")
    if isinstance(max_images, bool) or not isinstance(max_images, numbers.Integral) or max_images < 1:
        raise ValueError(f"max_images must be a positive integer, got {max_images!r}")
    grid = _check_params(params)
    names = list(grid)
    shape = [len(grid[name]) for name in names]
    n_images = 1
    for n in shape:
        n_images *= n
    if n_images > max_images:
        raise ValueError(
            f"params make {n_images} images ({' x '.join(map(str, shape))}), more than max_images={max_images}; "
            "use fewer values per parameter"
        )

    import matplotlib.figure
    import matplotlib.pyplot as plt

    frames: dict[tuple[int, ...], widgets.HTML] = {}
    for index in itertools.product(*(range(n) for n in shape)):
        values = {name: grid[name][i] for name, i in zip(names, index)}
        fig = plot(**values)
        try:
            if not isinstance(fig, matplotlib.figure.Figure):
                raise TypeError(f"plot must return a matplotlib Figure, got {type(fig).__name__} for {values}")
            png = figure_to_png(fig, dpi=dpi)
        finally:
            if isinstance(fig, matplotlib.figure.Figure):
                plt.close(fig)
        alt_text = alt(**values)
        if not isinstance(alt_text, str):
            raise TypeError(f"alt must return a string, got {type(alt_text).__name__} for {values}")
        if not alt_text.strip():
            raise ValueError(f"alt returned an empty alt text for {values}")
        frames[index] = widgets.HTML(value=_image_html(png, alt_text))

    stacks: list[list[widgets.Stack]] = [[] for _ in names]

    def build(prefix: tuple[int, ...]) -> widgets.Widget:
        level = len(prefix)
        if level == len(names):
            return frames[prefix]
        stack = widgets.Stack(children=[build(prefix + (i,)) for i in range(shape[level])], selected_index=0)
        stacks[level].append(stack)
        return stack

    root = build(())
    sliders = {
        name: widgets.SelectionSlider(
            options=[(format_value(v), v) for v in grid[name]],
            index=0,
            description=name,
            continuous_update=True,
            readout=True,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="min(100%, 30em)"),
        )
        for name in names
    }
    header = None if description is None else widgets.HTML(value=f"<p>{html.escape(description)}</p>")
    return InteractiveFigure(sliders=sliders, stacks=stacks, root=root, frames=frames, header=header)
