"""The planning page's layout: the frame every role gets (the model card, then below the fold the experiments,
the editor and the scenarios shared with the user) and the cards the roles that plan get (scenarios,
optimiser). The first screen (the model card and its contributions) comes with the layout, from the same
cached answer the scope switch uses (:func:`.callbacks.page_layout`); what is below the fold is filled by
:mod:`.callbacks` once scrolled to, which checks the role and scope again on the server.
"""

from __future__ import annotations

import json

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from ... import i18n
from ...layout.controls import download_id, dropdown, export_buttons, graph_config
from ...semantic import planning as data
from ...semantic.planning.sharing import SHARE_ROLES
from . import ids

NAME = "planning"  # in export ids and file names
BROWSER_LOCALES = {"en": "en-GB", "fr": "fr-FR"}
GRID_HEIGHT = 330
CONTRIB_HEIGHT = 380  # the contributions chart's height (figures.contributions_figure)
CURVES_HEIGHT = 460  # the curves' room until they come (six channels, three a row: figures.curves_height)


def _browser_locale(language: str) -> str:
    return json.dumps(BROWSER_LOCALES.get(language, "en-GB"))


def money_formatter(language: str) -> dict:
    """Euros in the user's locale, rounded to the euro, while the grid keeps the numbers."""
    options = json.dumps({"style": "currency", "currency": "EUR", "maximumFractionDigits": 0,
                          "minimumFractionDigits": 0})
    return {"function": f"params.value == null || params.value === '' ? '' : !isFinite(Number(params.value)) ? "
                        f"String(params.value) : "
                        f"Number(params.value).toLocaleString({_browser_locale(language)}, {options})"}


OUT_OF_RANGE_STYLE = {"backgroundColor": "#fff3cd", "color": "#664d03", "fontWeight": "600"}


def grid(grid_id: str, editable: bool, row_id: str = "params.data.month", height: int = GRID_HEIGHT,
         columns: list[dict] | None = None, rows: list[dict] | None = None) -> dag.AgGrid:
    """An AG Grid of euros; the editor's columns come from the callbacks (they depend on the model)."""
    return dag.AgGrid(
        id=grid_id, columnDefs=columns or [], rowData=rows or [], getRowId=row_id,
        defaultColDef={"resizable": True, "sortable": False, "editable": editable, "minWidth": 110},
        dashGridOptions={"singleClickEdit": True, "stopEditingWhenCellsLoseFocus": True, "animateRows": False,
                         "localeText": {"noRowsToShow": i18n.t("planning.no_rows")}},
        columnSize="responsiveSizeToFit", style={"height": f"{height}px"}, className="mb-2")


def plan_columns(channels: list[str], names: dict[str, str], ranges: dict[str, tuple[float, float]],
                 language: str, editable: bool) -> list[dict]:
    """The editor's columns: the month, one euro column per channel (a cell outside the channel's historical
    monthly spend is highlighted, as the server flags it) and the month's total."""
    columns = [{"field": "label", "headerName": i18n.t("planning.month", language), "pinned": "left",
                "editable": False, "minWidth": 120}]
    for channel in channels:
        low, high = ranges[channel]
        outside = (f"params.value != null && params.value !== '' && (Number(params.value) < {low!r} - 1e-9 "
                   f"|| Number(params.value) > {high!r} + 1e-9)")
        columns.append({
            "field": channel, "headerName": names.get(channel, channel), "editable": editable,
            "type": "rightAligned", "valueFormatter": money_formatter(language), "cellDataType": "number",
            "cellClassRules": {"planning-oor": outside},
            "cellStyle": {"styleConditions": [{"condition": outside, "style": OUT_OF_RANGE_STYLE}]},
        })
    total = " + ".join(f"(Number(params.data[{json.dumps(c)}]) || 0)" for c in channels) or "0"
    columns.append({"colId": "total", "headerName": i18n.t("planning.total", language), "editable": False,
                    "type": "rightAligned", "valueFormatter": money_formatter(language),
                    "valueGetter": {"function": total}, "cellStyle": {"fontWeight": "600"}})
    return columns


def bounds_columns(language: str) -> list[dict]:
    """The optimiser's per-channel ranges: history (read only), how far to widen its maximum and its minimum
    (factors; blank: the history's own range) and a lock."""
    factor = {"type": "rightAligned", "cellDataType": "number"}
    return [
        {"field": "label", "headerName": i18n.t("planning.channel", language), "editable": False, "minWidth": 130},
        {"field": "history", "headerName": i18n.t("planning.opt.history", language), "editable": False,
         "minWidth": 150},
        {"field": "widen", "headerName": i18n.t("planning.opt.widen", language), **factor,
         "cellEditor": "agNumberCellEditor", "cellEditorParams": {"min": 1, "max": 5, "precision": 2}},
        {"field": "widen_min", "headerName": i18n.t("planning.opt.widen_min", language), **factor,
         "cellEditor": "agNumberCellEditor", "cellEditorParams": {"min": 0, "max": 1, "precision": 2}},
        {"field": "locked", "headerName": i18n.t("planning.opt.locked", language), "cellDataType": "boolean",
         "cellRenderer": "agCheckboxCellRenderer", "cellEditor": "agCheckboxCellEditor", "maxWidth": 120},
    ]


def month_budget_columns(language: str) -> list[dict]:
    return [{"field": "label", "headerName": i18n.t("planning.month", language), "editable": False},
            {"field": "budget", "headerName": i18n.t("planning.opt.budget", language), "type": "rightAligned",
             "valueFormatter": money_formatter(language), "cellDataType": "number"}]


def _card(title: str, children, card_id: str, help_key: str | None = None) -> dbc.Card:
    body = [html.H2(title, className="h5")]
    if help_key:
        body.append(html.P(i18n.t(help_key), className="text-muted small mb-2"))
    return dbc.Card(dbc.CardBody([*body, *children]), id=card_id, className="mb-3")


def _graph(graph_id: str, figure) -> dcc.Graph:
    return dcc.Graph(id=graph_id, figure=figure, config=graph_config())


def header(options: list[dict], value) -> html.Div:
    return html.Div([
        html.H1(i18n.t("planning.title"), className="h3 mb-0"),
        html.Div([
            html.Label(i18n.t("planning.scope"), htmlFor=ids.SCOPE, className="small text-muted me-2 mb-0"),
            dropdown(id=ids.SCOPE, options=options, value=value, clearable=False, searchable=False,
                     style={"minWidth": "280px"}),
        ], className="d-flex align-items-center"),
    ], className="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-1")


def model_section(info, channels, contrib) -> dbc.Card:
    """The response model: what it is, its channels and contributions (the first screen), then its response
    curves, which come with what is below the fold. Each chart's room is held while Plotly's script loads or its
    answer comes (``dcc.Graph`` draws nothing until then): the page does not jump, and what is below the fold
    stays below it until the user scrolls."""
    return _card(i18n.t("planning.model.title"), [
        html.Div(info, id=ids.MODEL_INFO, className="small mb-2"),
        html.Div(channels, id=ids.CHANNELS, className="mb-3"),
        html.H3(i18n.t("planning.contrib.title"), className="h6"),
        html.P(i18n.t("planning.contrib.help"), className="text-muted small mb-1"),
        html.Div(_graph(ids.CONTRIB, contrib), style={"minHeight": f"{CONTRIB_HEIGHT}px"}, className="mb-3"),
        html.H3(i18n.t("planning.curves.title"), className="h6"),
        html.P(i18n.t("planning.curves.help"), className="text-muted small mb-1"),
        html.Div(id=ids.CURVES_SLOT, style={"minHeight": f"{CURVES_HEIGHT}px"}),
    ], ids.MODEL, "planning.model.help")


def curves_graph(figure) -> dcc.Graph:
    """The response curves, put in their slot with what is below the fold."""
    return _graph(ids.CURVES, figure)


def experiments_card() -> dbc.Card:
    """The lift tests against the model (filled with what is below the fold, ``callbacks.below_panel``)."""
    return _card(i18n.t("planning.exp.title"), [html.Div(id=ids.EXPERIMENTS_TABLE)], ids.EXPERIMENTS,
                 "planning.exp.help")


def editor_tools(editable: bool, language: str) -> list:
    """Upload and reset for the roles that edit; a read-only note for the others."""
    if not editable:
        return [dbc.Alert(i18n.t("planning.editor.readonly", language), color="secondary", className="small py-2",
                          id="planning-readonly")]
    upload = dcc.Upload(
        id=ids.UPLOAD, multiple=False, max_size=data.MAX_FILE_BYTES, accept=".csv,.xlsx,.txt",
        children=html.Div([i18n.t("planning.upload.drop", language), " ",
                           html.A(i18n.t("planning.upload.pick", language), href="#")]),
        className="border border-secondary rounded text-center small p-2 mb-1", style={"borderStyle": "dashed"})
    return [
        html.P(i18n.t("planning.editor.help", language), className="text-muted small mb-2"),
        dbc.Row([
            dbc.Col(upload, md=8),
            dbc.Col(dbc.Button(i18n.t("planning.editor.reset", language), id=ids.RESET, color="secondary",
                               outline=True, size="sm", className="w-100"), md=4),
        ], className="g-2 mb-1"),
        html.P(i18n.t("planning.upload.help", language), className="text-muted small mb-2"),
    ]


def editor_section() -> dbc.Card:
    """The editor's card: its body (tools, grid, prediction) comes with what is below the fold (``editor_body``)."""
    return _card(i18n.t("planning.editor.title"), [
        html.Div(id=ids.EDITOR_BODY, style={"minHeight": f"{GRID_HEIGHT}px"}),
        dcc.Download(id=download_id(NAME)),
    ], ids.EDITOR)


def editor_body(tools: list, language: str, columns: list[dict], rows: list[dict], prediction=None) -> list:
    """The editor on a plan: ``tools`` (``editor_tools``), the grid, then the plan's prediction (``prediction``:
    out-of-range list,
    summary, chart, table and the chart's config, as ``callbacks.prediction_outputs`` gives them; none without
    a plan)."""
    out_of_range, summary, figure, table, config = prediction or ("", "", None, "", graph_config())
    chart = [] if figure is None else [dcc.Graph(id=ids.PREDICTION, figure=figure, config=config)]
    return [
        html.Div(tools, id=ids.EDITOR_TOOLS),
        dbc.Alert(id=ids.EDITOR_FEEDBACK, is_open=False, dismissable=True, className="small"),
        grid(ids.GRID, False, columns=columns, rows=rows),
        html.Div(out_of_range, id=ids.OUT_OF_RANGE, className="mb-2"),
        html.Div(summary, id=ids.SUMMARY, className="mb-2"),
        html.Div([
            html.H3(i18n.t("planning.pred.title", language), className="h6 mb-0"),
            export_buttons(NAME, "scenario", language),
        ], className="d-flex justify-content-between align-items-center mt-3"),
        *chart,
        html.Div(table, id=ids.PREDICTION_TABLE),
    ]


def scenarios_card(options: list[dict], listing, compare_options: list[dict], language: str,
                   share_users: list[dict] | None = None, comparison=None) -> dbc.Card:
    """Save, load, delete and compare the user's scenarios, and share them. ``comparison``: what the comparison
    shows at first (the current plan alone), so that no callback runs when the card arrives."""
    return _card(i18n.t("planning.scenarios.title", language), [
        dbc.Row([
            dbc.Col([html.Label(i18n.t("planning.scenarios.name", language), htmlFor=ids.NAME_INPUT,
                                className="small"),
                     dbc.Input(id=ids.NAME_INPUT, type="text", maxLength=data.MAX_NAME, size="sm",
                               placeholder=i18n.t("planning.scenarios.name_hint", language))], md=5),
            dbc.Col(dbc.Checkbox(id=ids.OVERWRITE, value=False,
                                 label=i18n.t("planning.scenarios.overwrite", language)), md=4,
                    className="d-flex align-items-end"),
            dbc.Col(dbc.Button(i18n.t("planning.scenarios.save", language), id=ids.SAVE, color="primary",
                               size="sm", className="w-100"), md=3, className="d-flex align-items-end"),
        ], className="g-2 mb-2"),
        dbc.Alert(id=ids.SCENARIO_FEEDBACK, is_open=False, dismissable=True, className="small"),
        dbc.Row([
            dbc.Col([html.Label(i18n.t("planning.scenarios.saved", language), htmlFor=ids.SCENARIO,
                                className="small"),
                     dropdown(language, id=ids.SCENARIO, options=options, clearable=True,
                              placeholder=i18n.t("planning.scenarios.pick", language))], md=6),
            dbc.Col([dbc.Button(i18n.t("planning.scenarios.load", language), id=ids.LOAD, color="secondary",
                                size="sm", className="me-2"),
                     dbc.Button(i18n.t("planning.scenarios.delete", language), id=ids.DELETE, color="danger",
                                outline=True, size="sm")], md=6, className="d-flex align-items-end"),
        ], className="g-2 mb-2"),
        html.Div(listing, id=ids.SCENARIOS, className="mb-3"),
        html.H3(i18n.t("planning.compare.title", language), className="h6"),
        html.P(i18n.t("planning.compare.help", language), className="text-muted small mb-1"),
        dropdown(language, id=ids.COMPARE, options=compare_options, value=[data.CURRENT], multi=True,
                 placeholder=i18n.t("planning.compare.pick", language), className="mb-2"),
        dcc.Loading(html.Div(comparison, id=ids.COMPARISON), type="dot", delay_show=300),
        share_section(share_users or [], language),
    ], "planning-scenarios-card", "planning.scenarios.help")


def share_section(users: list[dict], language: str) -> html.Div:
    """Share the scenario picked above with named users or roles (read only for them), and take shares back."""
    roles = [{"label": i18n.t(f"role.{r}", language), "value": r} for r in SHARE_ROLES]
    return html.Div([
        html.H3(i18n.t("planning.share.title", language), className="h6 mt-3"),
        html.P(i18n.t("planning.share.help", language), className="text-muted small mb-1"),
        dbc.Row([
            dbc.Col(dcc.Dropdown(id=ids.SHARE_USERS, options=users, multi=True,
                                 placeholder=i18n.t("planning.share.users", language)), md=5),
            dbc.Col(dcc.Dropdown(id=ids.SHARE_ROLES, options=roles, multi=True,
                                 placeholder=i18n.t("planning.share.roles", language)), md=4),
            dbc.Col(dbc.Button(i18n.t("planning.share.button", language), id=ids.SHARE, color="primary",
                               size="sm", className="w-100"), md=3),
        ], className="g-2 mb-2"),
        dbc.Alert(id=ids.SHARE_FEEDBACK, is_open=False, dismissable=True, className="small"),
        html.Div(id=ids.SHARES, className="mb-2"),
        dbc.Row([
            dbc.Col(dcc.Dropdown(id=ids.SHARE_PICK, options=[], clearable=True,
                                 placeholder=i18n.t("planning.share.pick", language)), md=9),
            dbc.Col(dbc.Button(i18n.t("planning.share.remove", language), id=ids.UNSHARE, color="danger",
                               outline=True, size="sm", className="w-100"), md=3),
        ], className="g-2"),
    ], id="planning-share-section")


def shared_card(language: str) -> dbc.Card:
    """The scenarios planners shared with the user, opened read only (every role of the page)."""
    return _card(i18n.t("planning.shared.title", language), [
        dbc.Row([
            dbc.Col(dcc.Dropdown(id=ids.SHARED, options=[], clearable=True,
                                 placeholder=i18n.t("planning.shared.pick", language)), md=9),
            dbc.Col(dbc.Button(i18n.t("planning.shared.open", language), id=ids.SHARED_OPEN,
                               color="secondary", size="sm", className="w-100"), md=3),
        ], className="g-2 mb-2"),
        html.Div(id=ids.SHARED_LIST, className="mb-2"),
        dcc.Loading(html.Div(id=ids.SHARED_VIEW), type="dot", delay_show=300),
    ], ids.SHARED_CARD, "planning.shared.help")


def optimiser_card(bounds: list[dict], months: list[dict], amount: float | None, language: str) -> dbc.Card:
    modes = [{"label": i18n.t(f"planning.opt.mode.{m}", language), "value": m} for m in data.OPTIMISE_MODES]
    return _card(i18n.t("planning.opt.title", language), [
        dbc.Row([
            dbc.Col(dbc.RadioItems(id=ids.OPT_MODE, options=modes, value="budget"), md=6),
            dbc.Col([html.Label(i18n.t("planning.opt.amount", language), htmlFor=ids.OPT_AMOUNT,
                                className="small"),
                     dbc.Input(id=ids.OPT_AMOUNT, type="number", min=0, step="any", size="sm",
                               value=amount)], md=6),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col([html.H3(i18n.t("planning.opt.bounds", language), className="h6"),
                     html.P(i18n.t("planning.opt.bounds_help", language), className="text-muted small mb-1"),
                     grid(ids.OPT_BOUNDS, True, "params.data.channel", 280, bounds_columns(language),
                          bounds)], lg=7),
            dbc.Col([html.H3(i18n.t("planning.opt.months", language), className="h6"),
                     html.P(i18n.t("planning.opt.months_help", language), className="text-muted small mb-1"),
                     grid(ids.OPT_MONTHS, True, "params.data.month", 280, month_budget_columns(language),
                          months)], lg=5),
        ], className="g-2"),
        html.Div([
            dbc.Button(i18n.t("planning.opt.run", language), id=ids.OPT_RUN, color="primary", size="sm",
                       className="me-2"),
            dbc.Button(i18n.t("planning.opt.cancel", language), id=ids.OPT_CANCEL, color="outline-danger",
                       size="sm", className="me-2", disabled=True),
            dbc.Button(i18n.t("planning.opt.use", language), id=ids.OPT_USE, color="secondary", size="sm",
                       disabled=True),
        ], className="mb-2"),
        # Filled while the job runs (the background callback's progress), hidden otherwise.
        html.Div([dbc.Progress(id=ids.OPT_PROGRESS, value=0, striped=True, animated=True,
                               className="mb-1", style={"height": "0.9rem"}),
                  html.Div(id=ids.OPT_STEP, className="small text-muted")],
                 id=ids.OPT_RUNNING, style={"display": "none"}, className="mb-2"),
        html.Div(id=ids.OPT_RESULT),
        grid(ids.OPT_GRID, False, height=280),
        html.Div(id=ids.OPT_REGIONS, className="mt-2"),
        dcc.Store(id=ids.ALLOCATION, data=None),
    ], "planning-optimiser", "planning.opt.help")


def scope_choices(language: str) -> list[dict]:
    """The model scopes the user may pick (national first), as the dropdown's options."""
    try:
        return [{"label": data.scope_label(code, language), "value": code} for code in data.scope_options()]
    except data.PlanningError:
        return []


def layout(options: list[dict], model: tuple) -> html.Div:
    """The page for the first scope of ``options``, its first screen filled with ``model`` (the outputs of
    ``callbacks.model_panel``, in its order), what is below it (from the response curves on) filled once the
    browser says the curves' slot is near the viewport (``BELOW_SEEN``)."""
    language = i18n.current_language()
    run_info, notice, model_info, channels, contrib = model
    return html.Div([
        header(options, options[0]["value"] if options else None),
        html.P(run_info, id=ids.RUN_INFO, className="text-muted small mb-1"),
        html.Div(notice, id=ids.NOTICE),
        model_section(model_info, channels, contrib),
        experiments_card(),
        editor_section(),
        html.Div(id=ids.WRITER),
        shared_card(language),
        dcc.Store(id=ids.BELOW_SEEN, data=False),
    ], id=ids.PAGE)
