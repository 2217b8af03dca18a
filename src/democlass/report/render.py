"""One self-contained HTML file from the payload: template, inline CSS and script, JSON data.

The page makes no network request: a Content-Security-Policy forbids every
fetch (``default-src 'none'``) and allows only the page's own style and
script, by hash, so even a text that slipped through as markup could not
load or run anything.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from importlib import resources
from string import Template
from typing import Any

__all__ = ["render", "script_json"]

# Characters that could end the JSON's <script> element or start markup in
# it; inside JSON strings their \u escapes decode to the same text.
_JSON_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def script_json(data: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">``: no text
    in it can close the element (``</script>``) or open a comment.

    Examples
    --------
    >>> script_json({"text": "</script><img src=x>"})
    '{"text":"\\\\u003c/script\\\\u003e\\\\u003cimg src=x\\\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.translate(_JSON_ESCAPES)


def _asset(name: str) -> str:
    return (resources.files("democlass.report") / name).read_text(encoding="utf-8")


def _sha256(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def render(data: dict[str, Any]) -> str:
    """The report page for a payload (see :func:`democlass.report.payload.payload`)."""
    css = _asset("report.css")
    js = _asset("report.js")
    csp = (
        f"default-src 'none'; style-src {_sha256(css)}; script-src {_sha256(js)}; "
        "img-src 'none'; base-uri 'none'; form-action 'none'"
    )
    return Template(_asset("template.html")).substitute(
        title=html.escape(str(data["title"])),
        csp=csp,
        css=css,
        js=js,
        data=script_json(data),
    )
