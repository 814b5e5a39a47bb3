"""The lift tests (geo experiments) against the response model: what was measured, what the model says for
the same channel, regions and days, and whether they agree. Scoped twice: to the user's regions and to the
model's scope.
"""

from __future__ import annotations

from forecasting import api as forecasting_api
from pilotage.store.engine import get_engine
from pilotage.store.models.planning import NATIONAL_SCOPE

from ..cache import scoped_cache
from ..scope import allowed_regions, region_tree
from .access import model_for, run_models


@scoped_cache
def _experiments(run_id: int, scope: str) -> list[dict]:
    tree = region_tree()
    visible = allowed_regions()
    everything = visible == frozenset(tree.parent)
    scope_regions = None if scope == NATIONAL_SCOPE else tree.with_descendants([scope])
    tests = forecasting_api.stored_experiments(get_engine(), None if everything else visible, scope_regions)
    return forecasting_api.experiment_report(run_models(run_id)[scope], tests)


def experiments(scope) -> list[dict]:
    """The lift tests the user may see (all their regions inside the user's scope; a whole-country test only
    for who sees the whole country) within the model's scope, each with the model's lift for the same channel,
    regions and days, its 80 % interval, and whether it agrees with the measured one (the intervals overlap)."""
    run, _model = model_for(scope)
    return _experiments(run["id"], scope)
