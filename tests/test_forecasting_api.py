"""``forecasting.api`` is the app's one way into forecasting: dashapp imports nothing else of it, every
name of the contract resolves, and importing the contract does not load the optimiser's libraries."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import forecasting.api

DASHAPP = Path(__file__).resolve().parents[1] / "dashapp"


def _forecasting_imports(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` of every import of forecasting (``from forecasting import x`` counts as ``forecasting.x``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found += [(node.lineno, f"{node.module}.{alias.name}" if node.module == "forecasting" else node.module)
                      for alias in node.names]
    return [(line, name) for line, name in found if name.split(".")[0] == "forecasting"]


def test_dashapp_imports_only_the_api_of_forecasting():
    outside = [f"{path.relative_to(DASHAPP.parent)}:{line} imports {name}"
               for path in sorted(DASHAPP.rglob("*.py")) for line, name in _forecasting_imports(path)
               if name != "forecasting.api"]
    assert outside == []
    users = {path.relative_to(DASHAPP).as_posix() for path in DASHAPP.rglob("*.py") if _forecasting_imports(path)}
    # callbacks go through dashapp.semantic
    assert all(u == "semantic/forecasts.py" or u.startswith("semantic/planning/") for u in users), users


def test_every_name_of_the_contract_resolves():
    for name in forecasting.api.__all__:
        assert getattr(forecasting.api, name) is not None, name
    assert issubclass(forecasting.api.Infeasible, ValueError)


def test_the_contract_loads_the_optimiser_libraries_only_when_used():
    code = ("import sys, forecasting.api as api; heavy = ('scipy', 'statsmodels', 'sklearn'); "
            "print(any(m in sys.modules for m in heavy)); api.optimise; print(all(m in sys.modules for m in heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=DASHAPP.parent)
    assert result.stdout.split() == ["False", "True"]
