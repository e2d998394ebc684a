"""Sphinx extension of the nnbook site (wired in _config.yml under sphinx.local_extensions).

sphinx-thebe 0.3.1 registers its inline configuration (``const THEBE_JS_URL = ...``) each
time the environment reads documents, so pages carry it twice and the browser throws
"Identifier 'THEBE_JS_URL' has already been declared" on every page. Drop the duplicate
<script> entries (same file, same inline body) from every page.
"""

from __future__ import annotations

from typing import Any


def _key(js: Any) -> tuple[str, str]:
    filename = getattr(js, "filename", js)
    attributes = getattr(js, "attributes", {}) or {}
    return (str(filename or ""), str(attributes.get("body", "")))


def _dedupe_scripts(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, str]] = set()
    unique = []
    for js in scripts:
        key = _key(js)
        if key in seen:
            continue
        seen.add(key)
        unique.append(js)
    context["script_files"] = unique


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
