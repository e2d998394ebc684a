"""Browser checks of the built book, page by page, in Debian's headless Chromium.

Run: ``make test-site`` (or ``pytest tests/site``); ``NNBOOK_SITE=/path/to/_build/html``
checks another build. Each page is loaded once (see conftest.page_report); each test
below reads one aspect of that load, so a failure names the page (the test id) and
the check (the test name), and its message says what exactly is wrong.
"""

from __future__ import annotations

import functools
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

# axe impacts that fail the build.
FAILING_IMPACTS = {"critical", "serious"}
# axe rules switched off, each with the reason. Keep this empty unless a finding truly
# cannot be fixed in the book (config, _static CSS, _templates).
AXE_IGNORED_RULES: dict[str, str] = {}


def _fmt(items, limit: int = 15) -> str:
    items = list(items)
    shown = "\n  ".join(str(i) for i in items[:limit])
    more = f"\n  ... and {len(items) - limit} more" if len(items) > limit else ""
    return f"\n  {shown}{more}"


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name == "id" or (name == "name" and tag == "a")):
                self.ids.add(value)


@functools.cache
def _ids_in(path: Path) -> frozenset[str]:
    parser = _Ids()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return frozenset(parser.ids)


def _target_file(site: Path, url_path: str) -> Path:
    path = unquote(url_path)
    target = site / path.lstrip("/")
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target


@pytest.fixture
def report(page_report, rel):
    data = page_report(rel)
    if data["fatal"]:
        pytest.fail(f"{rel}: the page could not be inspected: {data['fatal']}", pytrace=False)
    return data


# --------------------------------------------------------------------------- checks


@pytest.mark.all_pages
def test_loads_cleanly(report, rel, site_dir):
    """HTTP 200, no console or page errors, no failed request, no request to another host."""
    problems = []
    if report["status"] != 200:
        problems.append(f"HTTP status {report['status']} (expected 200)")
    if report["foreign_requests"]:
        problems.append(f"requests to other hosts (the site must work offline):{_fmt(report['foreign_requests'])}")
    if report["failed_responses"]:
        problems.append(f"failed requests:{_fmt(report['failed_responses'])}")
    if report["page_errors"]:
        problems.append(f"uncaught JavaScript errors:{_fmt(report['page_errors'])}")
    if report["console_errors"]:
        problems.append(f"console errors:{_fmt(report['console_errors'])}")
    if report["redirect"] is not None:
        target = report["redirect"].split("#")[0]
        if not target or not _target_file(site_dir, str(Path(rel).parent / target)).is_file():
            problems.append(f"redirects to {report['redirect']!r}, which is not a file of the site")
    assert not problems, f"{rel}:\n" + "\n".join(problems)


@pytest.mark.all_pages
def test_links(report, rel, base_url, site_dir):
    """Every same-site link points at a file of the site, and every #anchor at an element id there."""
    if report["redirect"] is not None:
        return  # its one link (the refresh target) is checked in test_loads_cleanly
    broken = []
    for link in report["links"]:
        raw, url = link["raw"], link["url"]
        where = f"{raw!r} (text {link['text']!r})"
        scheme = urlsplit(url).scheme
        if scheme == "mailto":
            continue
        if scheme not in ("http", "https"):
            broken.append(f"{where}: unsupported scheme {scheme!r}")
            continue
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != base_url:
            continue  # external: only checked not to be loaded (test_loads_cleanly)
        target = _target_file(site_dir, parts.path)
        if not target.is_file():
            broken.append(f"{where}: no file {target.relative_to(site_dir) if target.is_relative_to(site_dir) else target}")
            continue
        if parts.fragment:
            anchor = unquote(parts.fragment)
            ids = _ids_in(target)  # the stored HTML, plus on this page the ids scripts added
            if target == site_dir / rel:
                ids = ids | set(report["ids"])
            if target.suffix == ".html" and anchor not in ids:
                broken.append(f"{where}: no element with id {anchor!r} in {target.relative_to(site_dir)}")
    assert not broken, f"{rel}: {len(broken)} broken link(s):{_fmt(broken, 30)}"


def test_math_rendered(report, rel):
    """Where the page has math, MathJax rendered all of it, without TeX errors or raw TeX left over."""
    problems = []
    if report["mathCount"] and not report["mjxCount"]:
        problems.append(f"{report['mathCount']} formula(s) but no MathJax output (mjx-container): did MathJax load?")
    elif report["unrenderedMath"]:
        problems.append(f"formulas MathJax did not render:{_fmt(report['unrenderedMath'])}")
    if report["mathErrors"]:
        problems.append(f"MathJax TeX errors:{_fmt(report['mathErrors'])}")
    if report["rawTex"]:
        problems.append(f"raw TeX in the text (outside code and math):{_fmt(report['rawTex'])}")
    assert not problems, f"{rel}:\n" + "\n".join(problems)


def test_widgets_rendered(report, rel):
    """Every stored widget view is rendered, with no kernel."""
    views, rendered = report["widgetViews"], report["widgetsRendered"]
    if views and not report["widgetState"]:
        pytest.fail(f"{rel}: {views} widget view(s) but no stored widget state: run `make execute`", pytrace=False)
    assert not report["widgetErrors"], f"{rel}: widgets rendered as errors:{_fmt(report['widgetErrors'])}"
    assert rendered == views and report["widgetRoots"] == views, (
        f"{rel}: {views} widget view(s) in the page, {rendered} rendered in place "
        f"({report['widgetRoots']} rendered widget roots); not rendered:{_fmt(report['unrenderedWidgets'])}"
    )


def test_sliders_switch_images(report, rel):
    """Moving each slider with the keyboard changes the image its widget shows (no kernel)."""
    dead = []
    for s in report["sliders"]:
        name = f"slider #{s['index']} {s['label']!r}"
        st = s["before_state"]
        if st["min"] == st["max"]:
            dead.append(f"{name}: has a single position ({st['readout']!r}); a slider must offer a choice")
        elif s["error"]:
            dead.append(f"{name}: could not be moved: {s['error']}")
        elif not s["before"]:
            dead.append(f"{name}: its widget shows no image")
        elif not s["changed"]:
            after = s["after_state"] or {}
            dead.append(
                f"{name}: pressing {s['key']} moved it from {st['now']} to {after.get('now')} "
                f"(readout {st['readout']!r} -> {after.get('readout')!r}) but the image did not change "
                f"(before {s['before']}, after {s['after']})"
            )
    assert not dead, f"{rel}:{_fmt(dead)}"


def test_images_have_alt_text(report, rel):
    """Every <img> carries a non-empty alt text."""
    missing = [img["src"] or "(no src)" for img in report["images"] if not (img["alt"] or "").strip()]
    assert not missing, f"{rel}: {len(missing)} image(s) without alt text, by src:{_fmt(missing)}"


def test_accessibility(report, rel):
    """axe-core finds no critical or serious violation."""
    bad = [v for v in report["axe"] if v["impact"] in FAILING_IMPACTS and v["id"] not in AXE_IGNORED_RULES]
    lines = [f"[{v['impact']}] {v['id']}: {v['help']}; at:{_fmt(v['targets'], 8)}" for v in bad]
    assert not bad, f"{rel}: axe-core violations:\n" + "\n".join(lines)


def test_screenshot_saved(report, rel, screenshots_dir):
    """A full-page screenshot of the page is in test-artifacts/screenshots/."""
    shot = screenshots_dir / (rel.replace("/", "__").removesuffix(".html") + ".png")
    assert shot.is_file() and shot.stat().st_size > 0, f"{rel}: no screenshot at {shot}"
