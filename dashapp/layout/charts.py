"""Figure builders of the drill-down page: a KPI over time with its target, the funnel and a heatmap.

Every page draws only scatter, bar and heatmap traces: the browser loads Plotly's cartesian bundle
(``assets/plotly-bundle.js``), which has no other trace type.

They draw what they are given: numbers come computed (metrics layer) and texts come
translated and formatted (i18n helpers), so that a figure reads like the rest of the page in
either language. Hover texts are pre-formatted strings for the same reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import plotly.graph_objects as go
import plotly.io as pio

from .. import i18n

COLORS = {"actual": "#0d6efd", "target": "#198754", "last_year": "#adb5bd", "funnel": "#0d6efd"}


def _lean_template(name: str = "plotly_white", traces: tuple[str, ...] = ("scatter", "bar", "heatmap")):
    """Plotly's template with only the parts these pages draw. The whole template is validated and deep-copied
    into every figure (about 120 ms of CPU each, most of a warm callback under load) and sent with it (7 KB)."""
    whole = pio.templates[name]
    layout = {key: value for key, value in whole.layout.to_plotly_json().items()
              if key not in ("polar", "ternary", "scene", "geo")}
    data = {key: value for key, value in whole.data.to_plotly_json().items() if key in traces}
    return go.layout.Template(layout=layout, data=data)


TEMPLATE = _lean_template()
# Plotly's separators: decimal mark then thousands mark, as babel writes numbers.
SEPARATORS = {"en": ".,", "fr": ",\u202f"}


def framed(fig: go.Figure, language: str, height: int = 320) -> go.Figure:
    fig.update_layout(template=TEMPLATE, height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      separators=SEPARATORS.get(language, ".,"), hovermode="x unified",
                      legend={"orientation": "h", "y": 1.08, "x": 0})
    return fig


def _axis_format(unit: str, language: str) -> dict:
    if unit == "ratio":
        return {"tickformat": ".1%"}
    if unit == "eur":
        return {"tickformat": ",.0f", "ticksuffix": "\u00a0€"} if language == "fr" else {"tickformat": ",.0f",
                                                                                          "tickprefix": "€"}
    if unit in ("months", "per_k_eur"):
        return {"tickformat": ",.1f"}
    return {"tickformat": ",.0f"}


def empty(message: str, height: int = 320) -> go.Figure:
    """A blank figure that says why it is blank."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_layout(template=TEMPLATE, height=height, xaxis={"visible": False}, yaxis={"visible": False},
                      margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return fig


def time_series(x: Sequence, actual: Sequence, actual_text: Sequence[str], *, unit: str, language: str,
                names: dict[str, str], target: tuple[Sequence, Sequence, Sequence[str]] | None = None,
                last_year: tuple[Sequence, Sequence, Sequence[str]] | None = None,
                step_target: bool = False, ticks: tuple[Sequence, Sequence[str]] | None = None,
                partial: Sequence[bool] | None = None) -> go.Figure:
    """One KPI per period bucket: the actual line, its target and last year's line when given.

    ``names`` holds the translated legend entries (actual, target, last_year, partial); each series
    comes as (x, y, hover texts). ``partial`` flags the buckets the window covers only in part (a
    week or a month in progress): they are drawn apart, a dotted segment to a hollow marker, so that
    nobody reads them as a complete period."""
    fig = go.Figure()
    if last_year is not None and len(last_year[0]):
        fig.add_trace(go.Scatter(x=list(last_year[0]), y=list(last_year[1]), customdata=list(last_year[2]),
                                 name=names["last_year"], mode="lines", line={"color": COLORS["last_year"],
                                                                                 "dash": "dot"},
                                 hovertemplate="%{customdata}"))
    if target is not None and len(target[0]):
        fig.add_trace(go.Scatter(x=list(target[0]), y=list(target[1]), customdata=list(target[2]),
                                 name=names["target"], mode="lines",
                                 line={"color": COLORS["target"], "dash": "dash",
                                       "shape": "hv" if step_target else "linear"},
                                 hovertemplate="%{customdata}"))
    x, actual, actual_text = list(x), list(actual), list(actual_text)
    partial = list(partial) if partial is not None else [False] * len(x)
    whole = [i for i, p in enumerate(partial) if not p]
    fig.add_trace(go.Scatter(x=[x[i] for i in whole], y=[actual[i] for i in whole],
                             customdata=[actual_text[i] for i in whole], name=names["actual"],
                             mode="lines+markers", line={"color": COLORS["actual"], "width": 2},
                             hovertemplate="%{customdata}", meta="actual"))
    if any(partial):
        # Each partial bucket joined to its complete neighbour by a dotted segment (None breaks the line).
        px, py, ptext, symbols = [], [], [], []
        for i in (i for i, is_partial in enumerate(partial) if is_partial):
            before = i - 1 if i > 0 and not partial[i - 1] else None
            after = i + 1 if i + 1 < len(x) and not partial[i + 1] else None
            neighbour = before if before is not None else after
            points = sorted({i, neighbour} - {None})
            for j in [*points, None]:
                px.append(None if j is None else x[j])
                py.append(None if j is None else actual[j])
                ptext.append("" if j is None else actual_text[j])
                symbols.append("circle-open" if j == i else "circle")
        fig.add_trace(go.Scatter(x=px, y=py, customdata=ptext, name=names.get("partial", "partial"),
                                 mode="lines+markers", connectgaps=False,
                                 line={"color": COLORS["actual"], "width": 2, "dash": "dot"},
                                 marker={"symbol": symbols, "size": 9, "line": {"width": 2}},
                                 hovertemplate="%{customdata}", meta="partial"))
    fig.update_yaxes(**_axis_format(unit, language), rangemode="tozero")
    if ticks is not None:
        fig.update_xaxes(tickmode="array", tickvals=list(ticks[0]), ticktext=list(ticks[1]))
    return framed(fig, language)


def funnel(labels: Sequence[str], counts: Sequence[float], texts: Sequence[str], hovers: Sequence[str],
           language: str, beside: Sequence[str] = ()) -> go.Figure:
    """The funnel's stages, top to bottom; ``texts`` are the formatted counts drawn on the bars,
    ``hovers`` the count, conversion ratio and definition shown on hover. ``beside`` are the
    measures that are not stages (qualified leads), written beside the funnel, never drawn in it."""
    # Bars centred on zero, widest at the top: a funnel drawn with a bar trace, so that the pages need only
    # Plotly's cartesian bundle (assets/plotly-bundle.js), which has no funnel trace.
    counts = list(counts)
    fig = go.Figure(go.Bar(y=list(labels), x=counts, base=[-c / 2 for c in counts], orientation="h", text=list(texts),
                           textposition="inside", insidetextanchor="middle", constraintext="none",
                           customdata=list(hovers), hovertemplate="%{y}: %{customdata}<extra></extra>",
                           marker={"color": COLORS["funnel"]}))
    fig = framed(fig, language, height=380)
    fig.update_layout(bargap=0.1, showlegend=False)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(autorange="reversed")
    for i, text in enumerate(beside):
        fig.add_annotation(text=text, showarrow=False, xref="paper", yref="paper", x=1.0, y=1.0 - 0.08 * i,
                           xanchor="right", yanchor="top", align="right", font={"size": 12},
                           bgcolor="rgba(255,255,255,0.85)", bordercolor=COLORS["last_year"], borderwidth=1,
                           name=f"beside-{i}")
    fig.update_layout(hovermode="closest")
    return fig


def heatmap(x: Sequence, y: Sequence[str], z: Sequence[Sequence[float | None]], text: Sequence[Sequence[str]],
            language: str, unit: str = "eur", keys: tuple[Sequence[str], Sequence[str]] | None = None) -> go.Figure:
    """Values per row label and column (e.g. channel × month), a darker cell being a higher value.

    With ``keys`` (column keys, row keys) the cells sit at those codes, shown with the labels ``x`` and ``y``:
    a click's ``clickData`` then names the cell by its codes (Plotly does not send a heatmap's customdata)."""
    columns, rows = (list(keys[0]), list(keys[1])) if keys else (list(x), list(y))
    hover = [[f"{row_label} · {column_label}: {cell}" for column_label, cell in zip(x, row, strict=True)]
             for row_label, row in zip(y, text, strict=True)]
    fig = go.Figure(go.Heatmap(x=columns, y=rows, z=[list(r) for r in z], text=[list(r) for r in text],
                               hovertext=hover, texttemplate="%{text}", hovertemplate="%{hovertext}<extra></extra>",
                               colorscale="Blues", hoverongaps=False,
                               colorbar={"tickformat": _axis_format(unit, language).get("tickformat", ",.0f")}))
    fig = framed(fig, language, height=max(260, 40 * len(y) + 80))
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(type="category", **({"tickvals": columns, "ticktext": list(x)} if keys else {}))
    fig.update_yaxes(autorange="reversed", type="category", **({"tickvals": rows, "ticktext": list(y)} if keys
                                                               else {}))
    return fig


EVENT_FILL = "#6f42c1"


def mark_events(fig: go.Figure, marks, first: dt.date | None = None, last: dt.date | None = None) -> go.Figure:
    """Annotations (:class:`dashapp.semantic.annotations.Mark`) as shaded date ranges behind the series, each with
    its label at the top; an event's last day is included, and the range is cut to ``first``..``last`` when
    given (a shape outside the data would widen the axis)."""
    for mark in marks:
        start, end = mark.start, mark.end + dt.timedelta(days=1)
        start, end = max(start, first) if first else start, min(end, last) if last else end
        if end <= start:
            continue
        fig.add_vrect(x0=start.isoformat(), x1=end.isoformat(), fillcolor=EVENT_FILL, opacity=0.12, line_width=0,
                      layer="below", name=f"event-{mark.id}", annotation_text=mark.label,
                      annotation_position="top left", annotation_font={"size": 10, "color": EVENT_FILL})
    return fig


def month_label(month, language: str) -> str:
    """A month as users read it (``Oct 2026`` / ``oct. 2026``)."""
    return i18n.date(month, "MMM yyyy", language)
