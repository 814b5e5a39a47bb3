"""Read-only AG Grid tables of the admin and data-health pages, with numbers in the user's locale."""

from __future__ import annotations

import json

import dash_ag_grid as dag

from .. import i18n

BROWSER_LOCALES = {"en": "en-GB", "fr": "fr-FR"}


def number_formatter(decimals: int = 0) -> dict:
    """Numbers in the user's locale (``1 234`` in French) while the grid still sorts them as numbers."""
    locale = json.dumps(BROWSER_LOCALES.get(i18n.current_language(), "en-GB"))
    options = json.dumps({"minimumFractionDigits": decimals, "maximumFractionDigits": decimals})
    return {"function": f"params.value == null ? '' : Number(params.value).toLocaleString({locale}, {options})"}


def read_only_grid(grid_id: str, columns: list[dict], row_id: str | None = None, selectable: bool = False,
                   height: int = 300, fit: bool = True) -> dag.AgGrid:
    """A read-only grid; ``fit=False`` keeps the columns' own widths (wide tables scroll)."""
    options = {"localeText": {"noRowsToShow": i18n.t("admin.no_rows")}, "animateRows": False}
    if selectable:
        options["rowSelection"] = {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True}
    return dag.AgGrid(
        id=grid_id, columnDefs=columns, rowData=[], getRowId=row_id, dashGridOptions=options,
        defaultColDef={"sortable": True, "resizable": True, "filter": True, "minWidth": 90},
        columnSize="responsiveSizeToFit" if fit else None, style={"height": f"{height}px"}, className="mb-2",
    )
