"""Stage the pinned browser assets from node_modules for the static site.

Copies only what the pages load (MathJax 3 with its TeX extensions, fonts and
accessibility modules; require.js; the ipywidgets HTML manager bundle and its
fonts) into ``_build/vendor-site/vendor/``. ``_config.yml`` lists
``_build/vendor-site`` in ``html_extra_path``, so Sphinx copies it to
``_build/html/vendor/``. Run ``npm ci`` first (``make book`` does both).

Usage: python tools/vendor_assets.py [--dest _build/vendor-site]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"

# (source under node_modules, destination under vendor/)
COPIES = [
    ("mathjax/es5/tex-chtml.js", "mathjax/tex-chtml.js"),
    ("mathjax/es5/input/tex/extensions", "mathjax/input/tex/extensions"),
    ("mathjax/es5/output/chtml/fonts/woff-v2", "mathjax/output/chtml/fonts/woff-v2"),
    ("mathjax/es5/a11y", "mathjax/a11y"),
    ("mathjax/es5/sre", "mathjax/sre"),
    ("mathjax/es5/ui", "mathjax/ui"),
    ("mathjax/LICENSE", "mathjax/LICENSE"),
    ("requirejs/require.js", "require.js"),
    ("@jupyter-widgets/html-manager/dist", "html-manager"),
]

# The html-manager's dist also holds source maps and two bundles the site does not load.
SKIP = {"embed.js", "embed.js.map", "embed.js.LICENSE.txt", "libembed-amd.js"}


def _ignore(directory: str, names: list[str]) -> list[str]:
    return [n for n in names if n in SKIP or n.endswith(".map")]


def stage(dest: Path) -> None:
    vendor = dest / "vendor"
    if vendor.exists():
        shutil.rmtree(vendor)
    for src_rel, dst_rel in COPIES:
        src, dst = NODE / src_rel, vendor / dst_rel
        if not src.exists():
            sys.exit(f"vendor_assets: {src} is missing; run `npm ci` first")
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=_ignore)
        else:
            shutil.copy2(src, dst)
    # The widget manager's stylesheet asks for its icon fonts relative to the page, i.e. at
    # `<page dir>/@jupyter-widgets/html-manager/dist/`; the widget pages all live in chapters/.
    fonts = vendor.parent / "chapters" / "@jupyter-widgets" / "html-manager" / "dist"
    if fonts.parent.parent.exists():
        shutil.rmtree(fonts.parent.parent)
    fonts.mkdir(parents=True)
    for font in (NODE / "@jupyter-widgets/html-manager/dist").iterdir():
        if font.suffix in {".woff", ".woff2", ".ttf", ".eot", ".svg"}:
            shutil.copy2(font, fonts / font.name)
    size = sum(p.stat().st_size for p in vendor.rglob("*") if p.is_file())
    print(f"vendor_assets: staged {size / 1e6:.1f} MB into {vendor.relative_to(ROOT) if vendor.is_relative_to(ROOT) else vendor}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=ROOT / "_build" / "vendor-site")
    stage(parser.parse_args().dest)
