"""Charts as static PNG images, for e-mail (mail clients run no JavaScript): Plotly's static export through
Kaleido (>= 1), which drives the Chromium already on the machine (``BROWSER_PATH``, else
:data:`DEFAULT_BROWSER`, else whatever Chrome it finds); it downloads nothing: plotly.js comes from the plotly
package and MathJax (a CDN script) is turned off. All the figures of a batch are drawn in one browser session
(starting Chromium is the slow part). When Kaleido or the browser is missing or fails, :func:`to_png` returns
None and the caller keeps its tables: an image is a nicety, the e-mail must still go out."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import plotly.graph_objects as go

log = logging.getLogger("pilotage.static")
DEFAULT_BROWSER = "/usr/bin/chromium"
TIMEOUT_S = 60  # per image


def browser_path() -> str | None:
    """The browser Kaleido is to drive: ``BROWSER_PATH`` when set, else the system Chromium, else one on PATH."""
    for path in (os.environ.get("BROWSER_PATH"), DEFAULT_BROWSER):
        if path and os.access(path, os.X_OK):
            return path
    return next((p for name in ("chromium", "chromium-browser", "google-chrome") if (p := shutil.which(name))), None)


def _run(coroutine_function):
    """``asyncio.run`` of the coroutine, on a thread of its own when this thread already runs an event loop
    (a caller inside async code, an async worker): ``asyncio.run`` refuses to nest."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine_function())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine_function()).result()


def to_png(figures: Sequence[go.Figure], width: int = 640, height: int = 300, scale: float = 1.0
           ) -> list[bytes] | None:
    """Each figure as PNG bytes, in order; None when static export is unavailable (logged)."""
    if not figures:
        return []
    path = browser_path()
    try:
        import kaleido
    except ImportError:
        log.warning("static images unavailable: kaleido is not installed")
        return None
    if path is None:
        log.warning("static images unavailable: no Chromium (set BROWSER_PATH)")
        return None
    opts = {"format": "png", "width": width, "height": height, "scale": scale}

    async def draw() -> list[bytes]:
        async with kaleido.Kaleido(path=path, n=1, mathjax=False, timeout=TIMEOUT_S) as browser:
            return [await browser.calc_fig(fig, opts=opts) for fig in figures]

    try:
        return _run(draw)
    except Exception as error:  # noqa: BLE001 - any failure of the browser means tables only
        log.warning("static images unavailable: %s: %s", type(error).__name__, error)
        return None
