"""What the planning page (``/planning``) reads and writes: the champion media model of a scope, what
it says per channel, the current media plan and the targets, simulations and optimisations of spend
plans, and the user's saved scenarios. The only package of the app that talks to media planning
(through :mod:`forecasting.api`, the app's contract with forecasting) or to the scenario tables.

One module per job; callers use the names below (``from dashapp.semantic import planning``):

- :mod:`.access`: roles, scopes checked against the user's, the champion media run and its models;
- :mod:`.model`: what the model says (channels, contributions, response curves, fit);
- :mod:`.experiments`: lift tests against the model;
- :mod:`.plan`: the current plan, its months, targets and forecast of record;
- :mod:`.simulation`: predictions of plans;
- :mod:`.rows`: plans, bounds and budgets from the browser, validated;
- :mod:`.uploads`: uploaded plan files;
- :mod:`.scenarios`: saved scenarios; :mod:`.sharing`: scenarios shared with users or roles;
- :mod:`.optimiser`: the budget optimiser;
- :mod:`.views`: what the page shows, as plain rows and frames (the page's business rules).

Scope: a media run holds one response model for the whole company (``national``) and one per top
region. A user who sees every region may pick any of them; a user scoped to some regions may pick
the models of the top regions inside their scope only, never the national one (it mixes in the
other regions). Every function takes the scope code chosen in the page and checks it again
(:func:`checked_scope`): a forged code is refused, never widened.

Roles: directors read (the model and the current plan's prediction); planners and admins also
simulate edited plans, run the optimiser and save, load and delete their own scenarios. The
optimiser writes nothing, but it is a planning tool that costs CPU seconds: it is kept to the
roles that plan. Scenarios belong to one user and one scope: every read and write is filtered by
the logged-in user's id and the checked scope, so a forged scenario id of someone else reads as
"not found".

Plans are pandas frames: one row per month (a ``datetime.date``, the first of the month), one
column per channel of the model, EUR. Everything that arrives from the browser (grid rows, an
uploaded file, an allocation kept in the page) is validated into such a frame first
(:func:`plan_from_rows`, :func:`parse_plan_file`).
"""

from __future__ import annotations

from . import sharing, views
from .access import (
    READ_ROLES,
    WRITE_ROLES,
    PlanningError,
    can_edit,
    channel_names,
    checked_scope,
    model_for,
    scope_label,
    scope_options,
)
from .experiments import experiments
from .model import channel_table, contributions, model_stats, model_summary, response_curves, spend_ranges
from .optimiser import OPTIMISE_MODES, OPTIMISE_ROLES, Optimisation, optimise_plan
from .plan import PlanContext, champions, current_plan, plan_context, plan_months, targets
from .rows import MAX_CELL_EUR, amount_of, bounds_from_rows, budgets_from_rows, plan_from_rows, plan_rows
from .scenarios import (
    CURRENT,
    MAX_COMPARED,
    MAX_NAME,
    clean_name,
    compare_scenarios,
    delete_scenario,
    list_scenarios,
    load_scenario,
    own_scenario_scope,
    save_scenario,
)
from .simulation import Simulation, simulate_current, simulate_plan, simulate_saved
from .uploads import MAX_FILE_BYTES, MAX_ISSUES, FileIssue, apply_cells, parse_plan_file

__all__ = [
    "CURRENT", "MAX_CELL_EUR", "MAX_COMPARED", "MAX_FILE_BYTES", "MAX_ISSUES", "MAX_NAME", "OPTIMISE_MODES",
    "OPTIMISE_ROLES", "READ_ROLES", "WRITE_ROLES", "FileIssue", "Optimisation", "PlanContext", "PlanningError",
    "Simulation", "amount_of", "apply_cells", "bounds_from_rows", "budgets_from_rows", "can_edit", "channel_names",
    "champions", "channel_table", "checked_scope", "clean_name", "compare_scenarios", "contributions", "current_plan",
    "delete_scenario", "experiments", "list_scenarios", "load_scenario", "model_for", "model_stats",
    "model_summary", "optimise_plan", "own_scenario_scope", "parse_plan_file", "plan_context", "plan_from_rows",
    "plan_months", "plan_rows", "response_curves", "save_scenario", "scope_label", "scope_options",
    "sharing", "simulate_current", "simulate_plan", "simulate_saved", "spend_ranges", "targets", "views",
]
