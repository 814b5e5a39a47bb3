"""Signals between callbacks: version counters that tell other callbacks to read again, and the store that says
a page's part below the fold has come into view."""

from __future__ import annotations


def next_version(version) -> int:
    """The next value of a version signal (``dcc.Store``); a forged or missing value restarts it."""
    return version + 1 if isinstance(version, int) and not isinstance(version, bool) else 1


def when_seen_js(target_id: str, store_id: str, margin_px: int = 0) -> str:
    """A clientside callback ``(trigger, seen=None)`` that sets ``store_id`` to true once ``target_id`` comes
    within ``margin_px`` of the viewport, so that what is below the fold is queried, sent and drawn only when the
    user scrolls to it.

    It starts watching when its trigger has a value (the first screen's content: before, the page is short and
    the target would look visible), two frames later (once that content is laid out), once per element. It sets
    the store itself (``set_props``) rather than answering later: a callback still pending would keep the page
    "loading" until the user scrolls."""
    return """
function(trigger, seen) {
    const none = window.dash_clientside.no_update;
    if (seen || !trigger) return none;
    const target = document.getElementById("TARGET");
    if (!target || target.dataset.watched) return none;
    target.dataset.watched = "1";
    if (!("IntersectionObserver" in window)) return true;
    const watch = () => {
        const observer = new IntersectionObserver(entries => {
            if (entries.some(e => e.isIntersecting)) {
                observer.disconnect();
                window.dash_clientside.set_props("STORE", {data: true});
            }
        }, {rootMargin: "0px 0px MARGINpx 0px"});
        observer.observe(target);
    };
    requestAnimationFrame(() => requestAnimationFrame(watch));
    return none;
}
""".replace("TARGET", target_id).replace("STORE", store_id).replace("MARGIN", str(int(margin_px)))
