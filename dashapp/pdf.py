"""The home page as a PDF: what a director forwards to the executive committee.

The page is rebuilt on the server from the same view the home callback renders (:func:`semantic.overview.home_view`:
the user's scope, role KPIs and period) in the user's language: the KPI cards with their figures, target and
changes, the AARRR summary, and each card's 13-month trend as a chart with the annotations the user sees. The
document is a self-contained HTML page (Plotly's own bundled script, no network) printed by the system Chromium
headless (``--print-to-pdf``): figures and chart labels stay text in the PDF (searchable, copyable).

Everything in the page that comes from users (names, annotation labels) is escaped: HTML in the markup, and
the figures' JSON cannot close its script element.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import subprocess
import tempfile
from pathlib import Path

import plotly
import plotly.graph_objects as go

from pilotage.settings import get_settings

from . import i18n
from .layout import charts
from .layout.cards import STATE_COLOURS
from .semantic import metrics

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
TIMEOUT_S = 60
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-extensions", "--no-pdf-header-footer", "--virtual-time-budget=10000")
STATE_CSS = {"success": "#198754", "warning": "#ffc107", "danger": "#dc3545", "secondary": "#6c757d"}


class PdfUnavailable(RuntimeError):
    """The system Chromium is missing or failed: the page says so, nothing is sent."""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _trend_figure(card, marks, language: str) -> dict | None:
    points = [(m, v) for m, v in card.trend if v is not None]
    if len(points) < 2:
        return None
    fig = go.Figure(go.Scatter(x=[m.isoformat() for m, _ in points], y=[v for _, v in points], mode="lines+markers",
                               line={"color": charts.COLORS["actual"], "width": 2}))
    first, last = points[0][0], points[-1][0]
    charts.mark_events(fig, marks, first, last + dt.timedelta(days=31))
    fig = charts.framed(fig, language, height=220)
    fig.update_layout(width=330, showlegend=False, margin={"l": 40, "r": 10, "t": 20, "b": 30},
                      title={"text": i18n.t(f"kpi.{card.name}", language), "font": {"size": 12}})
    fig.update_yaxes(**charts._axis_format(metrics.get(card.name).unit, language), rangemode="tozero")
    fig.update_xaxes(tickformat="%b %Y" if language == "en" else "%m/%Y")
    return fig.to_plotly_json()


def _change(value, language: str) -> str:
    return "–" if value is None else i18n.percent(value, 1, language, signed=True)


def _card(card, language: str) -> str:
    colour = STATE_CSS[STATE_COLOURS.get(card.state, "secondary")]
    target = (i18n.t("home.no_target", language) if card.target is None else
              f"{i18n.t('common.target', language)} {i18n.kpi_value(card.name, card.target, language)} · "
              + i18n.t("common.of_target", language, value=i18n.percent(card.attainment, 1, language)))
    return (f'<div class="card" style="border-left-color:{colour}">'
            f'<div class="kpi">{_e(i18n.t(f"kpi.{card.name}", language))}'
            f'<span class="state">{_e(i18n.t(f"home.state.{card.state}", language))}</span></div>'
            f'<div class="value">{_e(i18n.kpi_value(card.name, card.value, language))}</div>'
            f'<div class="small">{_e(target)}</div>'
            f'<div class="small">{_e(_change(card.vs_previous, language))} {_e(i18n.t("common.vs_previous", language))}'
            f'</div><div class="small">{_e(_change(card.vs_last_year, language))} '
            f'{_e(i18n.t("common.vs_last_year", language))}</div></div>')


def _funnel(stages, language: str) -> str:
    cells = "".join(f'<td><div class="stage">{_e(i18n.t(f"stage.{s.stage}", language))}</div>'
                    f'<div class="small">{_e(i18n.t(f"kpi.{s.kpi}", language))}</div>'
                    f'<div class="value2">{_e(i18n.kpi_value(s.kpi, s.value, language))}</div></td>' for s in stages)
    return f'<table class="funnel"><tr>{cells}</tr></table>'


STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 18px; color: #212529; font-size: 11px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 14px; margin: 16px 0 6px; }
.muted { color: #6c757d; } .small { font-size: 10px; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; }
.card { border: 1px solid #dee2e6; border-left: 6px solid; border-radius: 4px; padding: 6px 8px; }
.kpi { color: #6c757d; font-weight: 600; display: flex; justify-content: space-between; }
.state { font-weight: 400; } .value { font-size: 18px; font-weight: 600; margin: 2px 0; }
.funnel { width: 100%; border-collapse: separate; border-spacing: 6px 0; }
.funnel td { border: 1px solid #dee2e6; background: #f8f9fa; padding: 4px 6px; vertical-align: top; }
.stage { text-transform: uppercase; font-weight: 700; color: #0d6efd; font-size: 9px; }
.value2 { font-size: 14px; font-weight: 600; }
.charts { display: flex; flex-wrap: wrap; gap: 4px; } .chart { width: 330px; height: 220px; }
@page { size: A4 landscape; margin: 10mm; }
"""


def home_html(view, language: str, user_line: str, period_line: str) -> str:
    """The home page as one HTML document (charts drawn by Plotly's bundled script)."""
    figures = [f for f in (_trend_figure(c, view.marks, language) for c in view.cards) if f is not None]
    cards_html = "".join(_card(c, language) for c in view.cards) or _e(i18n.t("home.no_kpis", language))
    charts_html = "".join(f'<div class="chart" id="chart-{i}"></div>' for i in range(len(figures)))
    data = json.dumps(figures, ensure_ascii=True, default=str).replace("</", "<\\/")
    title = i18n.t("home.title", language)
    return f"""<!doctype html>
<html lang="{_e(language)}"><head><meta charset="utf-8"><title>Pilotage · {_e(title)}</title>
<style>{STYLE}</style><script src="plotly.min.js"></script></head>
<body>
<h1>Pilotage · {_e(title)}</h1>
<div class="muted">{_e(user_line)}</div>
<div class="muted">{_e(period_line)}</div>
<h2>{_e(i18n.t("home.cards", language))}</h2>
<div class="cards">{cards_html}</div>
<h2>{_e(i18n.t("home.funnel.title", language))}</h2>
{_funnel(view.funnel, language)}
<h2>{_e(i18n.t("pdf.trends", language))}</h2>
<div class="charts">{charts_html}</div>
<script>
const figures = {data};
figures.forEach((f, i) => Plotly.newPlot("chart-" + i, f.data, f.layout, {{staticPlot: true}}));
</script>
</body></html>"""


def print_pdf(document: str) -> bytes:
    """``document`` printed by the system Chromium, headless and offline (in a folder of its own)."""
    chromium = get_settings().chromium
    if not Path(chromium).exists():
        raise PdfUnavailable(f"{chromium} is missing")
    with tempfile.TemporaryDirectory(prefix="pilotage-pdf-") as folder:
        root = Path(folder)
        (root / "plotly.min.js").symlink_to(PLOTLY_JS)
        (root / "home.html").write_text(document, encoding="utf-8")
        target = root / "home.pdf"
        try:
            subprocess.run([chromium, *CHROMIUM_ARGS, f"--user-data-dir={root / 'profile'}",
                            f"--print-to-pdf={target}", (root / "home.html").as_uri()],
                           check=True, capture_output=True, timeout=TIMEOUT_S)
        except (subprocess.SubprocessError, OSError) as error:
            raise PdfUnavailable(str(error)[:200]) from None
        if not target.exists():
            raise PdfUnavailable("no PDF written")
        return target.read_bytes()
