"""Fixtures for the browser checks of the built site (tests/site/test_site.py).

The site is served from a directory (``NNBOOK_SITE``, default ``<repo>/_build/html``)
by a ``http.server`` thread on 127.0.0.1, and inspected with Playwright driving
Debian's Chromium (never a browser downloaded by ``playwright install``).

Every HTML page is loaded ONCE: :func:`page_report` loads it, runs all the checks'
measurements in that one load (console, network, links, math, widgets, images, axe,
screenshot, sliders) and caches the result; the tests in test_site.py only read it.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("NNBOOK_SITE", REPO / "_build" / "html")).resolve()
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"

# Directories of the built site that hold assets, not pages of the book.
ASSET_DIRS = {"_static", "_sources", "_images", "vendor", ".doctrees", "_downloads"}

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def site_pages() -> list[str]:
    """Every HTML page of the built site, as paths relative to its root (``chapters/x.html``)."""
    if not SITE.is_dir():
        return []
    pages = []
    for path in SITE.rglob("*.html"):
        rel = path.relative_to(SITE)
        if rel.parts[0] in ASSET_DIRS:
            continue
        pages.append(rel.as_posix())
    return sorted(pages)


def is_redirect_stub(rel: str) -> bool:
    """Jupyter Book's index.html is only a <meta http-equiv="refresh"> to the root page."""
    head = (SITE / rel).read_text(encoding="utf-8", errors="replace")[:4000].lower()
    return 'http-equiv="refresh"' in head


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "all_pages: run over redirect stubs too (default: content pages only)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``rel`` over the site's pages; the test ids are the page paths."""
    if "rel" not in metafunc.fixturenames:
        return
    pages = site_pages()
    if not metafunc.definition.get_closest_marker("all_pages"):
        pages = [p for p in pages if not is_redirect_stub(p)]
    # No site: one placeholder, whose test fails in the site_dir fixture saying to run `make book`.
    metafunc.parametrize("rel", pages or ["no-site-built"])


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # The browser drops connections it no longer needs (a page closed mid-download): not an error.
        pass


@pytest.fixture(scope="session")
def site_dir() -> Path:
    if not (SITE / "index.html").is_file() and not site_pages():
        pytest.fail(
            f"No built site at {SITE}: run `make book` first (or point NNBOOK_SITE at a built _build/html).",
            pytrace=False,
        )
    return SITE


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def base_url(site_dir: Path) -> Iterator[str]:
    """Serve the site on 127.0.0.1 on a free port, in a thread, for the whole session."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Debian Chromium for the whole session."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "Chromium is not installed (no `chromium` on PATH). Install Debian's package: "
            "`apt-get install chromium` (`make test` does). Never use `playwright install`.",
            pytrace=False,
        )
    if not AXE_JS.is_file():
        pytest.fail(f"axe-core is missing at {AXE_JS}: run `npm ci` in {REPO}.", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        # One context for the session: pages share the HTTP cache (MathJax, fonts), as for a reader.
        context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
        try:
            yield context
        finally:
            context.close()
            browser.close()


@pytest.fixture(scope="session")
def page_report(browser: object, base_url: str, site_dir: Path, screenshots_dir: Path):
    """``page_report(rel_path) -> dict``: load the page once, measure everything, cache it."""
    cache: dict[str, object] = {}

    def get(rel: str):
        if rel not in cache:
            cache[rel] = inspect_page(browser, base_url, site_dir, rel, screenshots_dir)
        return cache[rel]

    return get


# --------------------------------------------------------------------------- one page load

# Runs in the page after it settled: everything the checks need, in one round trip.
_MEASURE_JS = r"""
() => {
  const out = {};
  // ---- links: every <a href> as written and as resolved by the browser
  out.links = Array.from(document.querySelectorAll('a[href]')).map(a => ({
    raw: a.getAttribute('href'), url: a.href,
    text: (a.textContent || '').trim().slice(0, 60) || a.getAttribute('title') || a.getAttribute('aria-label') || '',
  }));
  // ---- math: Sphinx wraps every formula in .math (span inline, div display)
  const maths = Array.from(document.querySelectorAll('span.math, div.math'));
  out.mathCount = maths.length;
  out.mjxCount = document.querySelectorAll('mjx-container').length;
  out.unrenderedMath = maths.filter(m => !m.querySelector('mjx-container'))
    .map(m => (m.textContent || '').trim().slice(0, 80));
  out.mathErrors = Array.from(document.querySelectorAll('mjx-merror')).map(
    e => (e.getAttribute('data-mjx-error') || e.textContent || '').slice(0, 120));
  // ---- raw TeX left in text nodes, outside code, scripts and rendered math
  const SKIP = 'pre, code, kbd, samp, script, style, textarea, noscript, mjx-container, .highlight, .math, .MathJax';
  const TEX = [/\\\(/, /\\\)/, /\\\[/, /\\\]/, /\$\$/, /\\begin\{/, /\\end\{/, /\\frac\b/, /\$[^$\s][^$\n]*[\\^_{}][^$\n]*\$/];
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const parent = n.parentElement;
    if (!parent || parent.closest(SKIP)) continue;
    const text = n.nodeValue;
    for (const re of TEX) {
      const m = re.exec(text);
      if (m) {
        const i = Math.max(0, m.index - 30);
        raw.push(`${JSON.stringify(text.slice(i, m.index + 50).trim())} in <${parent.tagName.toLowerCase()}>`);
        break;
      }
    }
  }
  out.rawTex = raw;
  // ---- widgets: each stored view (script tag) must have a rendered root next to it
  const views = Array.from(document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]'));
  out.widgetViews = views.length;
  out.widgetState = document.querySelectorAll('script[type="application/vnd.jupyter.widget-state+json"]').length;
  const rendered = v => {
    const prev = v.previousElementSibling;
    return !!(prev && prev.classList.contains('widget-subarea') && prev.querySelector('.jupyter-widgets'));
  };
  out.widgetsRendered = views.filter(rendered).length;
  out.widgetRoots = document.querySelectorAll('.widget-subarea > .jupyter-widgets').length;
  out.unrenderedWidgets = views.filter(v => !rendered(v)).map(v => v.textContent.trim().slice(0, 120));
  out.widgetErrors = Array.from(document.querySelectorAll('.jupyter-widgets.widget-error, .jupyter-widgets-error-widget'))
    .map(e => (e.textContent || '').trim().slice(0, 200));
  // ---- images
  out.images = Array.from(document.querySelectorAll('img')).map(img => ({
    src: (img.getAttribute('src') || '').slice(0, 80), alt: img.getAttribute('alt'),
  }));
  out.sliders = document.querySelectorAll('.widget-slider .noUi-handle').length;
  return out;
}
"""

# The images a slider's widget shows now: every visible <img> under its rendered root.
_VISIBLE_IMAGES_JS = r"""
(handle) => {
  const root = handle.closest('.widget-subarea') || document.body;
  return Array.from(root.querySelectorAll('img'))
    .filter(img => img.checkVisibility ? img.checkVisibility() : img.offsetParent !== null)
    .map(img => img.getAttribute('src') || '');
}
"""

_SLIDER_STATE_JS = r"""
(handle) => {
  const slider = handle.closest('.widget-slider');
  const label = slider && slider.querySelector('.widget-label');
  const readout = slider && slider.querySelector('.widget-readout');
  return {
    label: label ? label.textContent.trim() : '',
    now: handle.getAttribute('aria-valuenow'),
    min: handle.getAttribute('aria-valuemin'),
    max: handle.getAttribute('aria-valuemax'),
    readout: readout ? readout.textContent.trim() : '',
  };
}
"""


def screenshot_name(rel: str) -> str:
    return rel.replace("/", "__").removesuffix(".html") + ".png"


def _short(src: str) -> str:
    """A readable fingerprint of an image src (data: URLs are huge)."""
    if src.startswith("data:"):
        return f"{src[:22]}...({len(src)} chars, ...{src[-12:]})"
    return src


def inspect_page(browser_context, base_url: str, site_dir: Path, rel: str, screenshots: Path) -> dict:
    """Load ``rel`` once and measure everything the checks of test_site.py read."""
    from playwright.sync_api import Error as PlaywrightError

    report: dict = {
        "page": rel,
        "status": None,
        "console_errors": [],
        "page_errors": [],
        "failed_responses": [],
        "foreign_requests": [],
        "redirect": None,
        "sliders": [],
        "axe": [],
        "fatal": None,
    }
    host = base_url.split("//", 1)[1]
    page = browser_context.new_page()
    page.set_default_timeout(15_000)

    def on_request(request) -> None:
        url = request.url
        scheme, _, rest = url.partition(":")
        if scheme in ("data", "blob", "about"):
            return
        if not rest.startswith("//" + host + "/") and rest != "//" + host:
            report["foreign_requests"].append(url)

    page.on("request", on_request)
    page.on("console", lambda m: report["console_errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: report["page_errors"].append(str(e)))
    page.on(
        "response",
        lambda r: report["failed_responses"].append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    timings = report["timings"] = {}
    t = time.perf_counter()
    try:
        response = page.goto(f"{base_url}/{rel}", wait_until="load")
        report["status"] = response.status if response else None
        timings["load"] = time.perf_counter() - t
        html = (site_dir / rel).read_text(encoding="utf-8", errors="replace")
        if is_redirect_stub(rel):
            # A redirect stub (Jupyter Book's index.html): check its target, not the page it lands on.
            import re

            m = re.search(r'content="\d+;\s*url=([^"]+)"', html, re.I)
            report["redirect"] = m.group(1) if m else ""
            page.wait_for_load_state("load")
            page.wait_for_timeout(300)
            return report
        t = time.perf_counter()
        _settle(page)
        timings["settle"] = time.perf_counter() - t
        report.update(page.evaluate(_MEASURE_JS))
        report["ids"] = set(page.evaluate("() => Array.from(document.querySelectorAll('[id]'), e => e.id)"))
        t = time.perf_counter()
        report["axe"] = _run_axe(page)
        timings["axe"] = time.perf_counter() - t
        t = time.perf_counter()
        page.screenshot(path=str(screenshots / screenshot_name(rel)), full_page=True)
        timings["screenshot"] = time.perf_counter() - t
        t = time.perf_counter()
        report["sliders"] = _move_sliders(page)
        timings["sliders"] = time.perf_counter() - t
        page.wait_for_timeout(200)  # let late errors (from the slider moves) arrive
    except PlaywrightError as exc:
        report["fatal"] = f"{type(exc).__name__}: {exc}".splitlines()[0]
    finally:
        page.close()
    return report


def _settle(page) -> None:
    """Wait until MathJax has typeset and every stored widget view is rendered (or time out)."""
    page.evaluate(
        """async () => {
          if (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise) {
            await window.MathJax.startup.promise;
          }
        }"""
    )
    try:
        page.wait_for_function(
            """() => {
              const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
              return Array.from(views).every(v => v.previousElementSibling
                && v.previousElementSibling.classList.contains('widget-subarea')
                && v.previousElementSibling.querySelector('.jupyter-widgets'));
            }""",
            timeout=10_000,
        )
    except Exception:  # the widget check reports what did not render
        pass
    # MathJax may typeset again after the widgets added content: wait for that too.
    page.evaluate(
        """async () => {
          if (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise) {
            await window.MathJax.startup.promise;
          }
        }"""
    )


def _run_axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        """async () => {
          const r = await axe.run(document, {resultTypes: ['violations']});
          return r.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.map(n => n.target.join(' ')),
          }));
        }"""
    )
    return result


def _move_sliders(page) -> list[dict]:
    """Move every slider with the keyboard; record the images its widget shows before and after."""
    results = []
    handles = page.locator(".widget-slider .noUi-handle")
    for i in range(handles.count()):
        handle = handles.nth(i)
        before_state = handle.evaluate(_SLIDER_STATE_JS)
        before = handle.evaluate(_VISIBLE_IMAGES_JS)
        key = "Home" if before_state["now"] == before_state["max"] else "End"
        entry = {
            "index": i,
            "label": before_state["label"],
            "key": key,
            "before_state": before_state,
            "before": [_short(s) for s in before],
            "after": [],
            "after_state": None,
            "changed": False,
            "error": None,
        }
        try:
            handle.scroll_into_view_if_needed()
            handle.focus()
            handle.press(key)
            try:
                page.wait_for_function(
                    f"([h, before]) => JSON.stringify(({_VISIBLE_IMAGES_JS})(h)) !== JSON.stringify(before)",
                    arg=[handle.element_handle(), before],
                    timeout=3_000,
                )
            except Exception:  # reported below as "did not change"
                pass
            after = handle.evaluate(_VISIBLE_IMAGES_JS)
            entry["after_state"] = handle.evaluate(_SLIDER_STATE_JS)
            entry["after"] = [_short(s) for s in after]
            entry["changed"] = bool(after) and after != before
        except Exception as exc:
            entry["error"] = str(exc).splitlines()[0]
        results.append(entry)
    return results
