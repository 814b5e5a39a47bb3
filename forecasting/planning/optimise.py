"""The budget optimiser: the best spend per period and channel for a budget, or the least budget for a target.

**Objective.** The leads the plan's spend brings over the plan's periods under the model's
*point* parameters (``sum_t sum_c beta_c * hill(adstock_ct)``; the baseline does not depend on
spend). Optimising the point response keeps the problem smooth and fast; the doubt is then
reported on the chosen plan by :func:`~.scenario.simulate` (draws + noise). Carry-over that runs
past the last plan period is not counted: the plan's horizon is the question asked.

**Modes.** ``budget``: maximise leads with total spend <= ``budget`` (the optimum spends all of it
unless every channel is at its maximum, since more spend never removes leads). ``target``:
minimise total spend reaching ``target`` leads in all (baseline + media, as in a scenario) over
the plan; a ``budget`` given with a target caps the spend.

**Constraints.** Per channel and period, ``min_spend`` <= spend <= ``max_spend`` (default min 0,
default max :data:`DEFAULT_CAP_FACTOR` x the channel's historical maximum per period, so that the
plan stays near what the model has seen; a channel never spent on gets 0 unless given a max);
``locked`` cells keep their spend; ``period_budgets`` cap the spend of each period. A channel that
the model does not identify (``model.identified``) is *held* at ``reference`` (the current plan;
default the mean of the last 6 periods) unless the caller bounds or locks it: with no trustworthy
response, moving its budget would follow noise (a zero point effect would cut it to nothing). Each of them
takes a scalar (every channel), a ``{channel: scalar or one value per period}`` mapping, a (C,)
or a (T, C) array; ``NaN`` in ``locked`` leaves that cell free.

**Method.** scipy's SLSQP on the free cells with the analytic gradient: adstock is linear in
spend, so ``d leads / d spend_{c,s} = sum_{t>=s} beta_c hill'(a_ct) decay_c**(t-s)`` (a spend keeps
working in the periods after it). Hill curves with ``shape > 1`` are S-shaped: the problem is then
not concave (no spend is a local optimum of a channel, and bursts in time can beat an even spread),
so the search starts from several allocations: room to the bounds, flat, the recent mix, seeded
random mixes, each S-shaped channel left out, each month alone, and two greedy allocations (budget
in 8 or 24 steps, each move on the cell with the best leads per EUR over 1, 2, 3, 5... steps)
improved by moving spend between cells (:func:`_exchange`). Every start gets a short SLSQP run,
the best :data:`POLISHED` a full one, and the best plan wins. Same inputs and seed, same plan.
:func:`brute_force` enumerates a spend grid for small problems (tests and benchmark).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

from forecasting.candidates.base import one_thread
from forecasting.planning.model import ResponseModel
from forecasting.planning.scenario import DEFAULT_LEVELS, ScenarioResult, carry_matrix, check_periods, simulate
from forecasting.planning.transforms import hill
from forecasting.serialise import json_safe

DEFAULT_CAP_FACTOR = 3.0
BINDING_KINDS = ("budget", "period_budget", "min", "max", "locked", "held", "target")
N_RANDOM_STARTS = 4
GREEDY_CHUNKS = (8, 24)  # step counts of the greedy starts
SCREEN_ITERATIONS = 20  # SLSQP iterations from every start...
POLISHED = 3  # ... then to convergence from the best few
MAX_GRID_POINTS = 1_000_000


class Infeasible(ValueError):
    """The constraints leave no allocation (the message says which ones; ``code`` and ``values`` let the app
    translate it)."""

    def __init__(self, message: str, code: str | None = None, **values):
        super().__init__(message)
        self.code = code
        self.values = values


@dataclass
class Binding:
    """A constraint the allocation sits on: ``kind`` in :data:`BINDING_KINDS`; ``value`` is the bound."""

    kind: str
    channel: str | None
    period: dt.date | None
    value: float
    default: bool = False  # a "max" that is the default cap (DEFAULT_CAP_FACTOR x the historical maximum)


@dataclass
class Allocation:
    """An optimised plan. ``intervals`` are of the plan's total leads: ``{level: (low, high)}``."""

    mode: str  # "budget" or "target"
    periods: list[dt.date]
    channels: list[str]
    spend: np.ndarray  # (T, C) EUR
    leads: float  # point, baseline + media, over the plan
    media_leads: float  # point, what the spend brings
    intervals: dict[float, tuple[float, float]]
    channel_totals: np.ndarray  # (C,) EUR over the plan
    total_spend: float
    binding: list[Binding]
    marginal_leads_per_eur: np.ndarray  # (T, C) leads one more EUR in that cell brings within the plan (point)
    seconds: float
    budget: float | None = None
    target: float | None = None
    starts: int = 0
    scenario: ScenarioResult | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        return json_safe({
            "mode": self.mode, "periods": [p.isoformat() for p in self.periods], "channels": self.channels,
            "spend": self.spend, "leads": self.leads, "media_leads": self.media_leads,
            "intervals": {str(k): list(v) for k, v in self.intervals.items()},
            "channel_totals": self.channel_totals, "total_spend": self.total_spend,
            "binding": [{"kind": b.kind, "channel": b.channel, "period": b.period.isoformat() if b.period else None,
                         "value": b.value, "default": b.default} for b in self.binding],
            "marginal_leads_per_eur": self.marginal_leads_per_eur, "seconds": self.seconds,
            "budget": self.budget, "target": self.target, "starts": self.starts,
        })


# --- the problem --------------------------------------------------------------------------------
@dataclass
class Problem:
    """Bounds, caps and the point response of one optimisation, on the full (T, C) grid of cells."""

    model: ResponseModel
    periods: list[dt.date]
    carry: np.ndarray  # (C,) point adstock before the plan
    lb: np.ndarray  # (T, C)
    ub: np.ndarray  # (T, C)
    locked: np.ndarray  # (T, C) bool
    budget: float | None
    period_budgets: np.ndarray  # (T,), inf where none
    baseline_total: float
    user_max: np.ndarray  # (T, C) bool: the max came from the caller (else the default cap)
    held: np.ndarray | None = None  # (C,) bool: unidentified channels held at the reference plan

    def __post_init__(self) -> None:
        # Adstock is linear in spend: stock_c = carry-over + M_c @ spend_c with M_c[t, u] = decay_c**(t-u), t >= u
        # (the same figures as transforms.adstock, as one product instead of a loop over periods).
        decay = self.model.params.decay[:, None, None]
        lag = np.subtract.outer(np.arange(len(self.periods)), np.arange(len(self.periods)))
        self.carry_matrix = np.where(lag >= 0, decay ** np.maximum(lag, 0), 0.0)  # (C, T, T)
        self.carried = self.carry[:, None] * decay[:, :, 0] ** np.arange(1, len(self.periods) + 1)  # (C, T)

    @property
    def free(self) -> np.ndarray:
        return ~self.locked & (self.ub - self.lb > 1e-9)

    def stock(self, x: np.ndarray) -> np.ndarray:
        """Adstock (..., C, T) of spend ``x`` (..., T, C)."""
        return np.einsum("ctu,...uc->...ct", self.carry_matrix, x) + self.carried

    def media(self, x: np.ndarray) -> np.ndarray:
        """Leads from spend ``x`` (..., T, C) over the plan, point parameters."""
        p = self.model.params
        return (p.beta[:, None] * hill(self.stock(x), p.half[:, None], p.shape[:, None])).sum(axis=(-1, -2))

    def media_grad(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """Leads and their gradient (T, C) in leads per EUR."""
        p = self.model.params
        stock = self.stock(x)
        saturation = hill(stock, p.half[:, None], p.shape[:, None])
        value = float((p.beta[:, None] * saturation).sum())
        # hill' = shape * h * (1 - h) / a (transforms.hill_derivative, without computing h twice)
        slope = p.beta[:, None] * p.shape[:, None] * saturation * (1 - saturation) / np.maximum(stock, 1e-12)
        # d leads / d spend_{u,c} = sum_{t >= u} slope_{c,t} decay_c**(t-u): a spend keeps working in later periods
        return value, np.einsum("ctu,ct->uc", self.carry_matrix, slope)

    def capped(self, x: np.ndarray) -> np.ndarray:
        """``x`` within bounds, then each over-budget period's spend above its minimum scaled down to fit."""
        x = np.clip(x, self.lb, self.ub)
        rows = x.sum(axis=1)
        over = rows > self.period_budgets
        if np.any(over):
            room = self.period_budgets[over] - self.lb[over].sum(axis=1)
            excess = (x[over] - self.lb[over]).sum(axis=1)
            x[over] = self.lb[over] + (x[over] - self.lb[over]) * (room / excess)[:, None]
        return x

    def most(self) -> np.ndarray:
        """Every cell at its maximum, periods cut to their budgets (the most spend the caps allow)."""
        return self.capped(self.ub.copy())


def _cells(model: ResponseModel, value, n_periods: int, name: str, default: float) -> np.ndarray:
    """A per-cell (T, C) array from a scalar, a {channel: scalar | per-period} mapping, a (C,) or (T, C) array."""
    n_channels = len(model.channels)
    out = np.full((n_periods, n_channels), default, dtype=float)
    if value is None:
        return out
    if isinstance(value, dict):
        unknown = [str(c) for c in value if c not in model.channels]
        if unknown:
            raise ValueError(f"{name}: unknown channel(s) {', '.join(unknown)}")
        for channel, v in value.items():
            column = np.asarray(v, dtype=float)
            if column.ndim and column.shape != (n_periods,):
                raise ValueError(f"{name}[{channel}] needs a scalar or one value per period ({n_periods})")
            out[:, model.channel_index(channel)] = column
        return out
    array = np.asarray(value, dtype=float)
    if array.ndim == 0 or array.shape == (n_channels,) or array.shape == (n_periods, n_channels):
        return np.broadcast_to(array, out.shape).astype(float)
    raise ValueError(f"{name} needs a scalar, a mapping by channel, ({n_channels},) or ({n_periods}, {n_channels})")


def build_problem(model: ResponseModel, periods, budget=None, min_spend=None, max_spend=None, locked=None,
                  period_budgets=None, controls=None, carry_in=None, gap_spend=None, reference=None,
                  hold_unidentified: bool = True) -> Problem:
    """Check and gather the constraints; :class:`Infeasible` when they contradict each other."""
    if isinstance(periods, int):
        periods = model.future_periods(periods)
    periods = check_periods(model, periods)
    n_periods = len(periods)
    _, hist_max = model.spend_range()
    lb = _cells(model, min_spend, n_periods, "min_spend", 0.0)
    ub = _cells(model, max_spend, n_periods, "max_spend", math.nan)
    user_max = np.isfinite(ub)
    ub = np.where(user_max, ub, np.broadcast_to(DEFAULT_CAP_FACTOR * hist_max, ub.shape))
    fixed = _cells(model, locked, n_periods, "locked", math.nan)
    is_locked = np.isfinite(fixed)
    held = np.zeros(len(model.channels), dtype=bool)
    if hold_unidentified:
        given = is_locked.any(axis=0) | user_max.any(axis=0) | (lb > 0).any(axis=0)
        held = ~np.asarray(model.identified, dtype=bool) & ~given
        if held.any():
            hold = (np.broadcast_to(model.recent_spend(), fixed.shape) if reference is None
                    else np.asarray(reference, dtype=float).reshape(fixed.shape))
            fixed = np.where(held[None, :], hold, fixed)
            is_locked = is_locked | held[None, :]
    lb, ub = np.where(is_locked, fixed, lb), np.where(is_locked, fixed, ub)
    caps = np.full(n_periods, math.inf)
    if period_budgets is not None:
        caps = np.asarray([math.inf if v is None else float(v) for v in np.ravel(period_budgets)], dtype=float)
        if caps.shape != (n_periods,):
            raise ValueError(f"period_budgets needs one value per period ({n_periods})")
        caps = np.where(np.isnan(caps), math.inf, caps)
    if np.any(lb < 0) or (budget is not None and budget < 0) or np.any(caps < 0):
        raise ValueError("spend, bounds and budgets cannot be negative")
    for t, c in zip(*np.nonzero(lb > ub + 1e-9), strict=True):
        raise Infeasible(f"{model.channels[c]} in {periods[t]}: minimum {lb[t, c]:,.0f} EUR above maximum "
                         f"{ub[t, c]:,.0f} EUR")
    for t in np.nonzero(lb.sum(axis=1) > caps + 1e-6)[0]:
        raise Infeasible(f"{periods[t]}: locked and minimum spend ({lb[t].sum():,.0f} EUR) exceed the period's "
                         f"budget ({caps[t]:,.0f} EUR)")
    if budget is not None and lb.sum() > budget + 1e-6:
        raise Infeasible(f"locked and minimum spend ({lb.sum():,.0f} EUR) exceed the budget ({budget:,.0f} EUR)")
    carry = carry_matrix(model, periods[0], [model.params], carry_in, gap_spend)[0]
    baseline = model.predict(np.zeros((n_periods, len(model.channels))), periods, controls, carry_in=carry)
    return Problem(model, periods, carry, lb, ub, is_locked, budget, caps, float(baseline.baseline.sum()), user_max,
                   held)


# --- the search ----------------------------------------------------------------------------------
class _Search:
    """SLSQP on the free cells, scaled to [0, ~1] in spend and leads, from one start."""

    def __init__(self, problem: Problem, mode: str, target_media: float | None):
        self.problem, self.mode, self.target_media = problem, mode, target_media
        self.mask = problem.free
        self.base = np.where(self.mask, 0.0, problem.lb)
        self.scale = float(max(problem.ub[self.mask].max(), 1.0))
        p = problem.model.params
        self.lead_scale = float(max((p.beta * len(problem.periods)).sum(), 1e-9))
        self.bounds = list(zip(problem.lb[self.mask] / self.scale, problem.ub[self.mask] / self.scale, strict=True))
        # Linear caps A z <= b: the total budget and each period's budget, on the free cells.
        rows, limits = [], []
        fixed_rows = self.base.sum(axis=1)
        if problem.budget is not None:
            rows.append(np.ones(self.mask.sum()))
            limits.append((problem.budget - self.base.sum()) / self.scale)
        for t in np.nonzero(np.isfinite(problem.period_budgets))[0]:
            in_row = np.zeros_like(self.mask)
            in_row[t] = self.mask[t]
            rows.append(in_row[self.mask].astype(float))
            limits.append((problem.period_budgets[t] - fixed_rows[t]) / self.scale)
        self.a, self.b = (np.array(rows), np.array(limits)) if rows else (None, None)

    def full(self, z: np.ndarray) -> np.ndarray:
        x = self.base.copy()
        x[self.mask] = z * self.scale
        return x

    def _lead_terms(self, z):
        value, grad = self.problem.media_grad(self.full(z))
        return value / self.lead_scale, grad[self.mask] * self.scale / self.lead_scale

    def run(self, x0: np.ndarray, iterations: int = 300) -> np.ndarray:
        constraints = []
        if self.a is not None:
            constraints.append({"type": "ineq", "fun": lambda z: self.b - self.a @ z, "jac": lambda z: -self.a})
        if self.mode == "budget":
            def objective(z):
                value, grad = self._lead_terms(z)
                return -value, -grad
        else:
            target = self.target_media / self.lead_scale
            constraints.append({"type": "ineq", "fun": lambda z: np.array([self._lead_terms(z)[0] - target]),
                                "jac": lambda z: self._lead_terms(z)[1][None, :]})

            def objective(z):
                return float(z.sum()), np.ones_like(z)
        z0 = x0[self.mask] / self.scale
        result = minimize(objective, z0, jac=True, method="SLSQP", bounds=self.bounds, constraints=constraints,
                          options={"maxiter": iterations, "ftol": 1e-10})
        return self.problem.capped(self.full(np.asarray(result.x)))


def _directions(problem: Problem, rng: np.random.Generator) -> list[np.ndarray]:
    """Mixes (T, C) to start from: room to the bounds, flat, the recent mix, random, S-curves left out, months."""
    room = np.where(problem.free, problem.ub - problem.lb, 0.0)
    flat = problem.free.astype(float) * room.max()
    recent = np.where(problem.free, np.broadcast_to(problem.model.recent_spend(), room.shape), 0.0)
    out = [room, flat, recent + 1e-3 * room]
    out += [room * rng.dirichlet(np.full(room.size, 0.5)).reshape(room.shape) for _ in range(N_RANDOM_STARTS)]
    s_shaped = np.nonzero((problem.model.params.shape > 1.0) & problem.free.any(axis=0))[0]
    for c in s_shaped if len(s_shaped) > 1 else ():
        left_out = room.copy()
        left_out[:, c] = 0.0
        out.append(left_out)
    for t in range(room.shape[0]) if len(s_shaped) and room.shape[0] > 1 else ():  # S-curves favour bursts
        burst = np.zeros_like(room)
        burst[t] = room[t]
        out.append(burst)
    return [d for d in out if d.sum() > 0]


def _along(problem: Problem, direction: np.ndarray, reached) -> np.ndarray:
    """The point ``lb + s * direction`` (capped) with the smallest s where ``reached(x)`` holds (bisection)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(direction > 0, (problem.ub - problem.lb) / direction, 0.0)
    hi = float(ratios.max()) if ratios.size else 0.0
    if not reached(problem.capped(problem.lb + hi * direction)):
        return problem.capped(problem.lb + hi * direction)
    lo = 0.0
    for _ in range(50):
        mid = (lo + hi) / 2
        if reached(problem.capped(problem.lb + mid * direction)):
            hi = mid
        else:
            lo = mid
    return problem.capped(problem.lb + hi * direction)


def _greedy(problem: Problem, chunks: int, enough) -> np.ndarray:
    """Spend in steps of 1/``chunks`` of the budget: each move puts 1, 2, 3, 5... steps on the one cell where they
    bring the most leads per EUR, until the budget is spent (or ``enough(x)``).

    Moves of several steps look past the flat start of an S-shaped curve, where the gradient sees
    nothing, and find the concentrated plans (in channels and in time) that S-curves favour.
    """
    x = problem.lb.copy()
    free = np.argwhere(problem.free)
    budget = min(problem.budget if problem.budget is not None else math.inf, problem.most().sum())
    step = (budget - x.sum()) / chunks
    if step <= 0:
        return x
    multiples = np.unique(np.round(np.geomspace(1, chunks, 10))) * step  # 1, 2, 3, 5, ... steps at once
    for _ in range(chunks):
        room = np.minimum(problem.ub - x, (problem.period_budgets - x.sum(axis=1))[:, None])
        size = np.minimum.outer(np.minimum(room[free[:, 0], free[:, 1]], budget - x.sum()), multiples).ravel()
        if enough(x) or size.max() <= 1e-9:
            break
        cell = np.repeat(np.arange(len(free)), len(multiples))
        trial = np.broadcast_to(x, (len(size), *x.shape)).copy()
        trial[np.arange(len(size)), free[cell, 0], free[cell, 1]] += size
        with np.errstate(divide="ignore", invalid="ignore"):
            gain = np.where(size > 1e-9, (problem.media(trial) - problem.media(x)) / size, -np.inf)
        x = trial[int(np.argmax(gain))]
    return x


def _exchange(problem: Problem, x: np.ndarray, step: float, rounds: int = 20) -> np.ndarray:
    """Local search at constant spend, taking the best move while one brings more leads (0.01% or more).

    Moves: 1, 3 or 9 steps (or all) of one cell's spend to another; and 1, 3 or 9 steps into one cell
    taken from all the others in proportion. They jump between the corners that S-curves create
    (a channel or a month off or on), which a gradient cannot.
    """
    free = np.argwhere(problem.free)
    n = len(free)
    if n < 2 or step <= 0:
        return x
    multiples = step * np.array([1.0, 3.0, 9.0])
    src, dst = (a.ravel() for a in np.meshgrid(np.arange(n), np.arange(n), indexing="ij"))
    src, dst = src[src != dst], dst[src != dst]
    same_period = free[src, 0] == free[dst, 0]
    current = problem.media(x)
    for _ in range(rounds):
        spare = (x - problem.lb)[free[:, 0], free[:, 1]]
        room = (problem.ub - x)[free[:, 0], free[:, 1]]
        period_room = (problem.period_budgets - x.sum(axis=1))[free[:, 0]]
        into = np.minimum(room, period_room)  # what a cell can take from another period
        # one cell to another
        limit = np.minimum(spare[src], np.where(same_period, room[dst], into[dst]))
        pair_amount = np.minimum(np.column_stack([np.tile(multiples, (len(src), 1)), spare[src]]), limit[:, None])
        pair_delta = np.zeros((*pair_amount.shape, n))
        rows = np.arange(len(src))[:, None]
        pair_delta[rows, np.arange(4)[None, :], src[:, None]] -= pair_amount
        pair_delta[rows, np.arange(4)[None, :], dst[:, None]] += pair_amount
        # all the others into one cell, in proportion to what they hold
        others = spare.sum() - spare
        pour_amount = np.minimum(multiples[None, :], np.minimum(np.minimum(others, into), room)[:, None])
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(others[:, None] > 0, spare[None, :] / others[:, None], 0.0)
        np.fill_diagonal(share, -1.0)
        pour_delta = -pour_amount[:, :, None] * share[:, None, :]
        deltas = np.concatenate([pair_delta.reshape(-1, n), pour_delta.reshape(-1, n)])
        deltas = deltas[np.abs(deltas).sum(axis=1) > 1e-9]
        if not len(deltas):
            break
        trial = np.broadcast_to(x, (len(deltas), *x.shape)).copy()
        trial[:, free[:, 0], free[:, 1]] += deltas
        trial = np.clip(trial, problem.lb, problem.ub)
        gains = problem.media(trial)
        best = int(np.argmax(gains))
        if gains[best] <= current * (1 + 1e-4):  # fine tuning is the solver's job
            break
        x, current = trial[best], gains[best]
    return x


def _snap(problem: Problem, x: np.ndarray) -> np.ndarray:
    """Cells within a euro (or 1e-6) of a bound go to it; caps that this breaks are restored on the others."""
    tol = np.maximum(1.0, 1e-6 * problem.ub)
    x = np.where(np.abs(x - problem.lb) <= tol, problem.lb, x)
    x = np.where(np.abs(x - problem.ub) <= tol, problem.ub, x)
    x = problem.capped(x)
    if problem.budget is not None and x.sum() > problem.budget:
        inner = problem.free & (x > problem.lb)
        excess = (x - problem.lb)[inner].sum()
        x[inner] -= (x - problem.lb)[inner] * min((x.sum() - problem.budget) / excess, 1.0)
    return x


def _binding(problem: Problem, x: np.ndarray, mode: str, target: float | None, media: float) -> list[Binding]:
    model, periods = problem.model, problem.periods
    out = []
    if problem.budget is not None and x.sum() >= problem.budget - max(1.0, 1e-6 * problem.budget):
        out.append(Binding("budget", None, None, float(problem.budget)))
    rows = x.sum(axis=1)
    for t in np.nonzero(np.isfinite(problem.period_budgets))[0]:
        if rows[t] >= problem.period_budgets[t] - max(1.0, 1e-6 * problem.period_budgets[t]):
            out.append(Binding("period_budget", None, periods[t], float(problem.period_budgets[t])))
    held = problem.held if problem.held is not None else np.zeros(len(model.channels), dtype=bool)
    for t, c in zip(*np.nonzero(problem.locked), strict=True):
        out.append(Binding("held" if held[c] else "locked", model.channels[c], periods[t], float(x[t, c])))
    free = ~problem.locked
    for t, c in zip(*np.nonzero(free & (problem.lb > 0) & (x <= problem.lb + 1e-6)), strict=True):
        out.append(Binding("min", model.channels[c], periods[t], float(problem.lb[t, c])))
    for t, c in zip(*np.nonzero(free & (problem.ub > problem.lb) & (x >= problem.ub - 1e-6)), strict=True):
        out.append(Binding("max", model.channels[c], periods[t], float(problem.ub[t, c]),
                           default=not problem.user_max[t, c]))
    if mode == "target" and target is not None:
        total = problem.baseline_total + media
        if total <= target + max(1e-3 * abs(target), 1e-6) and x.sum() > problem.lb.sum() + 1.0:
            out.append(Binding("target", None, None, float(target)))
    return out


def _finish(problem: Problem, x: np.ndarray, mode: str, started: float, target=None, starts=0, controls=None,
            carry_in=None, gap_spend=None, levels=DEFAULT_LEVELS, seed=0) -> Allocation:
    media, grad = problem.media_grad(x)
    scenario = simulate(problem.model, x, problem.periods, controls=controls, carry_in=carry_in, levels=levels,
                        seed=seed, gap_spend=gap_spend)
    return Allocation(
        mode=mode, periods=problem.periods, channels=list(problem.model.channels), spend=x,
        leads=scenario.total_leads, media_leads=media, intervals=scenario.total_intervals,
        channel_totals=x.sum(axis=0), total_spend=float(x.sum()), binding=_binding(problem, x, mode, target, media),
        marginal_leads_per_eur=grad, seconds=time.perf_counter() - started, budget=problem.budget, target=target,
        starts=starts, scenario=scenario,
    )


def _best(problem: Problem, mode: str, target_media: float | None, seed: int) -> tuple[np.ndarray, int]:
    """The best local optimum over the starts."""
    search = _Search(problem, mode, target_media)
    directions = _directions(problem, np.random.default_rng(seed))
    if mode == "budget":
        spendable = min(problem.budget if problem.budget is not None else math.inf, problem.most().sum())

        def on_surface(x):
            return x.sum() >= spendable - 1e-9 * max(spendable, 1.0)
    else:
        def on_surface(x):
            return problem.media(x) >= target_media

    starts = [_along(problem, d, on_surface) for d in directions]
    for chunks in GREEDY_CHUNKS:
        greedy = _greedy(problem, chunks, on_surface)
        starts.append(_exchange(problem, greedy, (greedy.sum() - problem.lb.sum()) / chunks))

    def scored(x):
        if mode == "budget":
            return -problem.media(x), x
        if problem.media(x) < target_media * (1 - 1e-9):
            x = _reach(problem, x, target_media)
        return x.sum(), x

    # A short run from every start, then the few best run to convergence (most iterations are the last digits).
    rough = sorted((scored(_snap(problem, search.run(start, SCREEN_ITERATIONS))) for start in starts),
                   key=lambda pair: pair[0])
    final = [scored(_snap(problem, search.run(x))) for _, x in rough[:POLISHED]]
    final += [scored(start) for start in starts]  # a start itself, should the solver stray
    return min(final + rough, key=lambda pair: pair[0])[1], len(starts)


def _reach(problem: Problem, x: np.ndarray, target_media: float) -> np.ndarray:
    """Move ``x`` toward the most spend until it reaches the target (a solver's last bit of shortfall)."""
    most = problem.most()
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if problem.media((1 - mid) * x + mid * most) >= target_media:
            hi = mid
        else:
            lo = mid
    return (1 - hi) * x + hi * most


def optimise(model: ResponseModel, periods, budget: float | None = None, target: float | None = None,
             min_spend=None, max_spend=None, locked=None, period_budgets=None, controls=None, carry_in=None,
             gap_spend=None, levels=DEFAULT_LEVELS, seed: int = 0, reference=None,
             hold_unidentified: bool = True) -> Allocation:
    """The best allocation over ``periods`` (dates, or a count of periods after the history).

    ``reference`` (T x C EUR, the current plan) is where unidentified channels are held
    (``hold_unidentified``) unless bounded or locked by the caller.

    Give ``budget`` (maximise leads) or ``target`` (least spend reaching that many leads in all; a budget
    then caps the spend). Constraint formats are in the module docstring; :class:`Infeasible` when no
    allocation meets them, with the reason.
    """
    started = time.perf_counter()
    if budget is None and target is None:
        raise ValueError("give a budget (most leads) or a target (least spend)")
    with one_thread():  # SLSQP's tiny matrices: BLAS threads cost ten times the work
        problem = build_problem(model, periods, budget, min_spend, max_spend, locked, period_budgets, controls,
                                carry_in, gap_spend, reference, hold_unidentified)
        return _optimise(problem, target, controls, carry_in, gap_spend, levels, seed, started)


def _optimise(problem: Problem, target, controls, carry_in, gap_spend, levels, seed, started) -> Allocation:
    finish = {"controls": controls, "carry_in": carry_in, "gap_spend": gap_spend, "levels": levels, "seed": seed}
    if not problem.free.any():
        return _finish(problem, problem.lb.copy(), "budget" if target is None else "target", started, target,
                       **finish)
    if target is None:
        x, starts = _best(problem, "budget", None, seed)
        return _finish(problem, x, "budget", started, None, starts, **finish)

    target_media = target - problem.baseline_total
    if problem.media(problem.lb) >= target_media:
        return _finish(problem, problem.lb.copy(), "target", started, target, **finish)
    if problem.budget is None and not np.isfinite(problem.period_budgets).any():
        most = problem.most()  # leads only grow with spend: everything at its maximum is the most
    else:
        most, _ = _best(problem, "budget", None, seed)
    reachable = problem.baseline_total + problem.media(most)
    if reachable < target:
        raise Infeasible(f"the target ({target:,.0f} leads) is out of reach: at most {reachable:,.0f} leads "
                         f"within the maximum spend and budgets ({most.sum():,.0f} EUR)")
    x, starts = _best(problem, "target", target_media, seed)
    return _finish(problem, x, "target", started, target, starts, **finish)


# --- brute force (tests and the benchmark) -------------------------------------------------------
def brute_force(model: ResponseModel, periods, budget: float | None = None, step: float = 1000.0,
                target: float | None = None, min_spend=None, max_spend=None, locked=None, period_budgets=None,
                controls=None, carry_in=None, gap_spend=None, max_points: int = MAX_GRID_POINTS) -> Allocation:
    """Every allocation on a ``step`` EUR grid (from each cell's minimum to its maximum, plus the maximum);
    the best for ``budget`` or the cheapest reaching ``target``. Small problems only (``max_points``)."""
    started = time.perf_counter()
    problem = build_problem(model, periods, budget, min_spend, max_spend, locked, period_budgets, controls,
                            carry_in, gap_spend)
    free_cells = list(zip(*np.nonzero(problem.free), strict=True))
    limit = (problem.budget if problem.budget is not None else math.inf) - problem.lb[~problem.free].sum()
    row_limits = problem.period_budgets - np.where(problem.free, 0.0, problem.lb).sum(axis=1)
    grid = np.zeros((1, 0))
    for t, c in free_cells:
        levels = np.unique(np.append(np.arange(problem.lb[t, c], problem.ub[t, c], step), problem.ub[t, c]))
        grid = np.column_stack([np.repeat(grid, len(levels), axis=0), np.tile(levels, len(grid))])
        in_row = [j for j, (tj, _) in enumerate(free_cells[: grid.shape[1]]) if tj == t]
        keep = (grid.sum(axis=1) <= limit + 1e-6) & (grid[:, in_row].sum(axis=1) <= row_limits[t] + 1e-6)
        grid = grid[keep]
        if len(grid) > max_points:
            raise ValueError(f"brute force over more than {max_points:,} allocations: use a larger step")
    x = np.broadcast_to(np.where(problem.free, 0.0, problem.lb), (len(grid), *problem.lb.shape)).copy()
    for j, (t, c) in enumerate(free_cells):
        x[:, t, c] = grid[:, j]
    media = problem.media(x)
    if target is None:
        best = int(np.argmax(media))
    else:
        reach = np.nonzero(problem.baseline_total + media >= target)[0]
        if not len(reach):
            raise Infeasible(f"no allocation on the grid reaches {target:,.0f} leads")
        spent = x[reach].sum(axis=(1, 2))
        best = int(reach[np.lexsort((-media[reach], spent))[0]])
    return _finish(problem, x[best], "budget" if target is None else "target", started, target, len(grid),
                   controls=controls, carry_in=carry_in, gap_spend=gap_spend)


# --- channel x region x month, within the evidence -------------------------------------------------
#
# The planning page's optimiser. A plan is spend per month, region and channel (T, R, C); each region's
# response is its own model's (``regions``: {region code: ResponseModel}; one entry, e.g. the national
# model, is a plan by channel and month). The default bounds are the evidence: every cell stays within
# the monthly spend that region and channel had in its history (min..max of the model's spend, which is
# the facts' monthly spend of that region), so the answer is an interpolation of what the model has
# seen, never an extrapolation. A planner widens a channel's range explicitly (``widen``: a factor on the
# historical maximum, and one on the minimum); the allocation then lists the cells outside their
# history (:attr:`GeoAllocation.extrapolated`), which the page shows as a warning beside the result.
#
# Method: two answers, the better kept: a greedy marginal-return allocation (steps of the budget, each on the
# cell whose leads per EUR over 1, 2, 4 or 8 steps are the best: exact for concave curves up to a step, and
# the look-ahead walks past the flat start of an S-curve), and the budget's Lagrangian relaxation (scipy's
# L-BFGS-B on the boxes at a price per EUR, brentq on the price; without monthly caps; its answer is a
# stationary point already). The greedy one is polished by scipy's SLSQP with the analytic gradient
# (adstock is linear in spend), the budget an equality, on the cells that are not held at a bound by the
# optimality conditions (:func:`_near_active`). S-curves make the problem non-concave, so the two can end
# on different local optima. The residual euros are put back within the bounds, so the total allocated
# is the budget to the cent.

GEO_GREEDY_STEPS = 96
GEO_LOOKAHEAD = (1, 2, 4, 8)
GEO_SLSQP_ITERATIONS = 30  # enough from a good start: within 0.2% of SLSQP run on every cell to convergence (bench)
GEO_DUAL_ITERATIONS = 200  # L-BFGS-B iterations per price
GEO_DUAL_PRICES = 60  # brentq steps on the price
GEO_KKT_BAND = 0.25  # cells at a bound within 25% of the marginal return at the optimum stay movable
MAX_WIDEN = 5.0  # the most a planner may widen a channel's historical maximum (a factor)


@dataclass
class GeoBinding:
    """A constraint the allocation sits on, for one channel across its cells (``channel`` None: the whole
    plan's budget or target, or a month's budget). ``cells`` of ``of`` cells of that channel sit on it, in
    ``regions`` and ``periods``; ``low``..``high`` is the range of the bound's values (EUR, or leads for a
    target). ``kind``: budget, period_budget, target, max (``historical``: the history's maximum, else a
    widened one), min (likewise), locked, held."""

    kind: str
    channel: str | None
    cells: int
    of: int
    regions: list[str]
    periods: list[dt.date]
    low: float
    high: float
    historical: bool = True


@dataclass
class Extrapolation:
    """A channel's cells spent outside their historical range (only after a planner widened it)."""

    channel: str
    cells: int
    regions: list[str]
    spend: float  # EUR of the plan in those cells
    beyond: float  # EUR above the historical maxima (or below the minima) in those cells
    ratio: float  # the largest spend / historical maximum among them


@dataclass
class GeoAllocation:
    """The allocation ``spend`` (T, R, C EUR) and what it brings under the models' point parameters."""

    mode: str
    periods: list[dt.date]
    regions: list[str]
    channels: list[str]
    spend: np.ndarray  # (T, R, C)
    media_leads: float  # point, over the plan, summed over the regions
    reference_media_leads: float | None  # the same for the reference plan (the current plan), when given
    total_spend: float
    hist_min: np.ndarray  # (R, C) EUR per month
    hist_max: np.ndarray  # (R, C)
    lb: np.ndarray  # (T, R, C) the bounds used
    ub: np.ndarray
    binding: list[GeoBinding]
    extrapolated: list[Extrapolation]
    widened: bool  # the planner widened a range: the answer may leave the evidence
    seconds: float
    budget: float | None = None
    target_media: float | None = None
    method: str = "greedy"  # which of greedy / slsqp gave the kept plan

    def channel_plan(self) -> np.ndarray:
        """(T, C) EUR: the plan summed over the regions."""
        return self.spend.sum(axis=1)


class _Geo:
    """The response of every region x channel unit (U = R x C, flattened) over the plan's T periods."""

    def __init__(self, regions: dict[str, ResponseModel], periods: list[dt.date], channels: list[str]):
        n_regions, n_channels, n_periods = len(regions), len(channels), len(periods)
        shape = (n_regions, n_channels)
        self.decay, self.half, self.shape, self.beta = (np.zeros(shape) for _ in range(4))
        self.half[:] = 1.0
        self.shape[:] = 1.0
        self.present = np.zeros(shape, dtype=bool)
        self.identified = np.ones(shape, dtype=bool)
        self.hist_min, self.hist_max = np.zeros(shape), np.zeros(shape)
        carried = np.zeros(shape)
        for r, model in enumerate(regions.values()):
            index = [channels.index(c) for c in model.channels]
            p = model.params
            self.decay[r, index], self.half[r, index] = p.decay, p.half
            self.shape[r, index], self.beta[r, index] = p.shape, p.beta
            self.present[r, index] = True
            self.identified[r, index] = np.asarray(model.identified, dtype=bool)
            low, high = model.spend_range()
            self.hist_min[r, index], self.hist_max[r, index] = low, high
            carried[r, index] = carry_matrix(model, periods[0], [p])[0]
        u = self.decay.ravel()
        lag = np.subtract.outer(np.arange(n_periods), np.arange(n_periods))
        self.matrix = np.where(lag >= 0, u[:, None, None] ** np.maximum(lag, 0), 0.0)  # (U, T, T)
        self.carried = carried.ravel()[:, None] * u[:, None] ** np.arange(1, n_periods + 1)  # (U, T)
        self.b, self.h, self.s = self.beta.ravel(), self.half.ravel(), self.shape.ravel()

    def stock(self, x: np.ndarray) -> np.ndarray:
        """Adstock (U, T) of spend ``x`` (T, U)."""
        return np.einsum("ktu,uk->kt", self.matrix, x) + self.carried

    def unit_media(self, stock: np.ndarray) -> np.ndarray:
        """Leads per unit (U,) over the plan from its adstock (U, T)."""
        return (self.b[:, None] * hill(stock, self.h[:, None], self.s[:, None])).sum(axis=1)

    def media(self, x: np.ndarray) -> float:
        return float(self.unit_media(self.stock(x)).sum())

    def media_grad(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """Leads and d leads / d spend (T, U): a spend keeps working in the periods after it."""
        stock = self.stock(x)
        saturation = hill(stock, self.h[:, None], self.s[:, None])
        slope = self.b[:, None] * self.s[:, None] * saturation * (1 - saturation) / np.maximum(stock, 1e-12)
        return float((self.b[:, None] * saturation).sum()), np.einsum("ktu,kt->uk", self.matrix, slope)


def geo_media_leads(regions: dict[str, ResponseModel], periods, spend) -> float:
    """The media leads (point) of ``spend`` (T, R, C over the regions' sorted channel union) over ``periods``."""
    first = next(iter(regions.values()))
    periods = check_periods(first, first.future_periods(periods) if isinstance(periods, int) else periods)
    channels = sorted({c for model in regions.values() for c in model.channels})
    spend = np.asarray(spend, dtype=float).reshape(len(periods), len(regions) * len(channels))
    return _Geo(regions, periods, channels).media(spend)


def _factors(value, channels: list[str], name: str, low: float, high: float) -> np.ndarray:
    """(C,) factors from None, a scalar or a {channel: factor} mapping, each within [low, high]."""
    out = np.ones(len(channels))
    if value is None:
        return out
    if isinstance(value, dict):
        unknown = [str(c) for c in value if c not in channels]
        if unknown:
            raise ValueError(f"{name}: unknown channel(s) {', '.join(unknown)}")
        for channel, factor in value.items():
            out[channels.index(channel)] = float(factor)
    else:
        out[:] = float(value)
    if not np.all(np.isfinite(out)) or np.any(out < low) or np.any(out > high):
        raise ValueError(f"{name} must be between {low:g} and {high:g}")
    return out


def _grouped_binding(kind: str, mask: np.ndarray, values: np.ndarray, geo_channels: list[str], regions: list[str],
                     periods: list[dt.date], of: np.ndarray, historical: np.ndarray | None = None
                     ) -> list[GeoBinding]:
    """One :class:`GeoBinding` per channel with cells in ``mask`` (T, R, C); split by ``historical`` (T, R, C)."""
    out = []
    for c, channel in enumerate(geo_channels):
        groups = [(True, mask[:, :, c])] if historical is None else [
            (True, mask[:, :, c] & historical[:, :, c]), (False, mask[:, :, c] & ~historical[:, :, c])]
        for is_historical, cells in groups:
            if not cells.any():
                continue
            hit = values[:, :, c][cells]
            out.append(GeoBinding(kind, channel, int(cells.sum()), int(of[c]),
                                  [regions[r] for r in np.nonzero(cells.any(axis=0))[0]],
                                  [periods[t] for t in np.nonzero(cells.any(axis=1))[0]],
                                  float(hit.min()), float(hit.max()), is_historical))
    return out


def optimise_geo(regions: dict[str, ResponseModel], periods, budget: float | None = None,
                 target_media: float | None = None, widen=None, widen_min=None, locked=None, reference=None,
                 period_budgets=None, hold_unidentified: bool = True, progress=None) -> GeoAllocation:
    """The best spend per month, region and channel for a ``budget`` (all of it is allocated), or the least
    spend whose media leads reach ``target_media``; every cell within its historical monthly range unless
    widened.

    ``widen``: factor(s) >= 1 on each channel's historical maxima (scalar or {channel: factor}, at most
    :data:`MAX_WIDEN`); ``widen_min``: factor(s) in [0, 1] on its minima (0 lets a channel stop).
    ``reference`` (T, R, C EUR, the current plan) is where ``locked`` channels (a set of codes) are kept
    and where channels a region's model does not identify are held (within their range:
    ``hold_unidentified``) unless the caller gives them a factor. ``period_budgets`` (T,) caps each month
    (NaN or None: no cap). ``progress``, if given, is called with a fraction done and a step name.
    :class:`Infeasible` (with ``code`` and ``values``) when the bounds cannot hold the budget or reach the
    target.
    """
    started = time.perf_counter()
    if (budget is None) == (target_media is None):
        raise ValueError("give a budget (most leads) or a target (least spend), not both")
    if not regions:
        raise ValueError("no response model to optimise")
    first = next(iter(regions.values()))
    if isinstance(periods, int):
        periods = first.future_periods(periods)
    periods = check_periods(first, periods)
    report = progress or (lambda fraction, step: None)
    region_codes = list(regions)
    channels = sorted({c for model in regions.values() for c in model.channels})
    n_periods, n_regions, n_channels = len(periods), len(region_codes), len(channels)
    geo = _Geo(regions, periods, channels)
    up = _factors(widen, channels, "widen", 1.0, MAX_WIDEN)
    down = _factors(widen_min, channels, "widen_min", 0.0, 1.0)
    shape = (n_periods, n_regions, n_channels)
    lb = np.broadcast_to(geo.hist_min * down, shape).copy()
    ub = np.broadcast_to(geo.hist_max * up, shape).copy()
    absent = np.broadcast_to(~geo.present, shape)
    lb[absent], ub[absent] = 0.0, 0.0
    fixed = np.zeros(shape, dtype=bool)
    if reference is not None:
        reference = np.asarray(reference, dtype=float).reshape(shape)
    keep = set(locked or ())
    unknown = sorted(keep - set(channels))
    if unknown:
        raise ValueError(f"locked: unknown channel(s) {', '.join(unknown)}")
    lock = np.zeros(shape, dtype=bool)
    lock[:, :, [channels.index(c) for c in keep]] = True
    given = set()  # channels the planner gave a factor: released from the hold (as a bound releases it above)
    for factors in (widen, widen_min):
        given |= set(factors) if isinstance(factors, dict) else set(channels) if factors is not None else set()
    release = np.broadcast_to(np.isin(channels, sorted(given)), shape)
    held = (np.broadcast_to(~geo.identified, shape) & ~lock & ~release if hold_unidentified
            else np.zeros(shape, dtype=bool))
    for mask in (lock, held):
        if mask.any():
            if reference is None:
                raise ValueError("locked and held channels need the reference plan")
            value = np.clip(reference, lb, ub) if mask is held else reference
            lb[mask], ub[mask] = value[mask], value[mask]
            fixed |= mask
    caps = np.full(n_periods, math.inf)
    if period_budgets is not None:
        caps = np.array([math.inf if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
                         for v in np.ravel(np.asarray(period_budgets, dtype=object))], dtype=float)
        if caps.shape != (n_periods,):
            raise ValueError(f"period_budgets needs one value per period ({n_periods})")
    if (budget is not None and budget < 0) or np.any(caps < 0):
        raise ValueError("budgets cannot be negative")
    floor = lb.sum()
    for t in np.nonzero(lb.sum(axis=(1, 2)) > caps + 1e-6)[0]:
        raise Infeasible(f"{periods[t]}: the historical minimums and locked spend ({lb[t].sum():,.0f} EUR) exceed "
                         f"the month's budget ({caps[t]:,.0f} EUR)", code="period_floor",
                         month=periods[t], floor=float(lb[t].sum()), cap=float(caps[t]))
    ceiling = float(np.minimum(ub.sum(axis=(1, 2)), caps).sum())
    if budget is not None and budget < floor - 1e-6:
        raise Infeasible(f"the budget ({budget:,.0f} EUR) is below the historical minimums and locked spend "
                         f"({floor:,.0f} EUR): lower a channel's minimum", code="below_history",
                         budget=float(budget), floor=float(floor))
    if budget is not None and budget > ceiling + 1e-6:
        raise Infeasible(f"the budget ({budget:,.0f} EUR) is above what the history supports ({ceiling:,.0f} EUR "
                         f"at every cell's maximum): widen a channel's range to spend more", code="above_history",
                         budget=float(budget), ceiling=ceiling)

    flat = (n_periods, n_regions * n_channels)
    lo, hi = lb.reshape(flat), ub.reshape(flat)
    free = ~fixed.reshape(flat) & (hi - lo > 1e-9)
    report(0.05, "bounds")
    if target_media is not None:
        most = _most(lo, hi, caps)
        if geo.media(most) < target_media - 1e-9:
            raise Infeasible(f"the target is out of reach within the ranges: at most {geo.media(most):,.1f} media "
                             f"leads for {most.sum():,.0f} EUR", code="target_out_of_reach",
                             reachable=geo.media(most), spend=float(most.sum()))
        amount = float(most.sum())
    else:
        amount = float(budget)
    x = _geo_greedy(geo, lo, hi, free, caps, amount, target_media)
    method = "greedy"
    relaxed = None  # the relaxation's answer is already a stationary point: SLSQP would not move it
    if target_media is None and not np.isfinite(caps).any() and free.any():
        relaxed = _conserve(_geo_dual(geo, lo, hi, free, amount, x), lo, hi, free, caps, amount)
    report(0.4, "greedy")
    active = _near_active(geo, x, lo, hi, free)
    if active.sum() > 1:
        polished = _geo_slsqp(geo, x, lo, hi, active, caps, amount, target_media)
        if polished is not None:
            polished = _conserve(polished, lo, hi, free, caps, amount if target_media is None else polished.sum())
            if target_media is None:
                better = geo.media(polished) > geo.media(x) + 1e-9
            else:
                better = geo.media(polished) >= target_media - 1e-6 and polished.sum() < x.sum() - 1e-6
            if better:
                x, method = polished, "slsqp"
    if relaxed is not None and geo.media(relaxed) > geo.media(x):
        x, method = relaxed, "dual"
    report(0.9, "polish")
    if target_media is None:
        x = _conserve(x, lo, hi, free, caps, amount)
    spend = x.reshape(shape)
    reference_media = geo.media(reference.reshape(flat)) if reference is not None else None
    return GeoAllocation(
        mode="budget" if target_media is None else "target", periods=periods, regions=region_codes,
        channels=channels, spend=spend, media_leads=geo.media(x), reference_media_leads=reference_media,
        total_spend=float(spend.sum()), hist_min=geo.hist_min, hist_max=geo.hist_max, lb=lb, ub=ub,
        binding=_geo_binding(spend, lb, ub, geo, lock, held, caps, budget, target_media, periods, region_codes,
                             channels),
        extrapolated=_extrapolated(spend, geo, channels, region_codes),
        widened=bool(np.any(up > 1.0) or np.any(down < 1.0)), seconds=time.perf_counter() - started,
        budget=budget, target_media=target_media, method=method)


def _most(lo: np.ndarray, hi: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """Every cell at its maximum, each over-budget month's spend above its minimums scaled down to fit."""
    x = hi.copy()
    over = x.sum(axis=1) > caps
    if over.any():
        room = caps[over] - lo[over].sum(axis=1)
        excess = (x[over] - lo[over]).sum(axis=1)
        x[over] = lo[over] + (x[over] - lo[over]) * (room / np.maximum(excess, 1e-12))[:, None]
    return x


def _geo_greedy(geo: _Geo, lo, hi, free, caps, amount: float, target_media: float | None) -> np.ndarray:
    """From the minimums, :data:`GEO_GREEDY_STEPS` steps of the amount above them, each on the cell whose
    leads per EUR are the best over 1, 2, 4 or 8 steps (a move changes its own unit's leads only)."""
    x = lo.copy()
    cells = np.argwhere(free)  # (n, 2): period, unit
    step = (amount - x.sum()) / GEO_GREEDY_STEPS
    if not len(cells) or step <= 0:
        return x
    sizes = np.array(GEO_LOOKAHEAD, dtype=float) * step
    ts, us = cells[:, 0], cells[:, 1]
    column = geo.matrix[us, :, ts]  # (n, T): what one EUR in that cell adds to its unit's adstock
    stock = geo.stock(x)
    unit = geo.unit_media(stock)
    left = amount - x.sum()
    while left > 1e-6 * max(amount, 1.0):
        if target_media is not None and unit.sum() >= target_media:
            break
        room = np.minimum(hi[ts, us] - x[ts, us], (caps - x.sum(axis=1))[ts])
        size = np.minimum(np.minimum(room, left)[:, None], sizes[None, :])  # (n, K)
        if size.max() <= 1e-9:
            break
        trial = stock[us][:, None, :] + size[:, :, None] * column[:, None, :]  # (n, K, T)
        gained = (geo.b[us][:, None, None] * hill(trial, geo.h[us][:, None, None], geo.s[us][:, None, None])
                  ).sum(axis=2) - unit[us][:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(size > 1e-9, gained / size, -np.inf)
        i, k = np.unravel_index(int(np.argmax(rate)), rate.shape)
        if not np.isfinite(rate[i, k]):
            break
        t, u, amount_moved = ts[i], us[i], size[i, k]
        if target_media is not None and rate[i, k] > 0 and unit.sum() + gained[i, k] > target_media:
            # the last move only as far as the target needs (bisection on that cell's amount)
            low, high = 0.0, amount_moved
            for _ in range(40):
                mid = (low + high) / 2
                reached = unit.sum() - unit[u] + geo.b[u] * hill(stock[u] + mid * column[i], geo.h[u], geo.s[u]).sum()
                low, high = (low, mid) if reached >= target_media else (mid, high)
            amount_moved = high
        x[t, u] += amount_moved
        stock[u] += amount_moved * column[i]
        unit[u] = geo.b[u] * hill(stock[u], geo.h[u], geo.s[u]).sum()
        left -= amount_moved
    return x


def _near_active(geo: _Geo, x, lo, hi, free) -> np.ndarray:
    """The cells the solver may move: those the greedy left inside their bounds, and those at a bound whose
    marginal return is within :data:`GEO_KKT_BAND` of the interior cells' (the ones an exchange could
    improve). The others sit on a bound the optimality conditions keep them on: leaving them out keeps
    SLSQP's dense subproblem small (its cost grows with the cube of the free cells)."""
    _, grad = geo.media_grad(x)
    tol = np.maximum(1.0, 1e-6 * hi)
    inside = free & (x > lo + tol) & (x < hi - tol)
    if not inside.any():
        return inside
    rate = float(np.median(grad[inside]))
    at_high = free & (x >= hi - tol) & (grad < rate * (1 + GEO_KKT_BAND))
    at_low = free & (x <= lo + tol) & (grad > rate * (1 - GEO_KKT_BAND))
    return inside | at_high | at_low


def _geo_dual(geo: _Geo, lo, hi, free, amount: float, x0) -> np.ndarray:
    """The budget's Lagrangian relaxation: for a price ``lam`` per EUR, L-BFGS-B maximises leads - lam x spend
    over the boxes alone (the units are independent then); brentq finds the price that spends the budget.
    Exact for concave curves; with S-curves the spend can jump over the budget at one price, and
    :func:`_conserve` then puts the total right. A second start beside the greedy's."""
    from scipy.optimize import brentq

    base = np.where(free, 0.0, lo)
    scale = float(max(hi[free].max(), 1.0))
    bounds = list(zip(lo[free] / scale, hi[free] / scale, strict=True))
    warm = {"z": x0[free] / scale}

    def spend_at(price: float) -> np.ndarray:
        def objective(z):
            x = base.copy()
            x[free] = z * scale
            value, grad = geo.media_grad(x)
            return price * x.sum() - value, (price - grad[free]) * scale

        result = minimize(objective, warm["z"], jac=True, method="L-BFGS-B", bounds=bounds,
                          options={"maxiter": GEO_DUAL_ITERATIONS})
        warm["z"] = result.x
        x = base.copy()
        x[free] = result.x * scale
        return x

    _, slope = geo.media_grad((lo + hi) / 2)
    top = 2.0 * float(np.abs(slope[free]).max()) + 1e-9
    with one_thread():
        if spend_at(0.0).sum() <= amount:
            return spend_at(0.0)
        for _ in range(20):  # a price at which the relaxation spends less than the budget (S-curves: higher)
            if spend_at(top).sum() < amount:
                break
            top *= 4.0
        else:
            return x0
        try:
            price = brentq(lambda p: spend_at(p).sum() - amount, 0.0, top, rtol=1e-6, maxiter=GEO_DUAL_PRICES)
        except ValueError:
            # the warm-started relaxation need not be monotone in the price (S-curves; a geo model's region
            # whose effect is below zero): no bracket, so this second start is the greedy's own
            return x0
        return spend_at(price)


def _geo_slsqp(geo: _Geo, x0, lo, hi, free, caps, amount: float, target_media: float | None) -> np.ndarray | None:
    """SLSQP on the ``free`` cells from ``x0`` (the others keep their value), scaled to ~[0, 1]; None when the
    solver fails."""
    scale = float(max(hi[free].max(), 1.0))
    lead_scale = float(max(geo.b.sum() * x0.shape[0], 1e-9))
    base = np.where(free, 0.0, x0)  # the cells left out keep their value

    def full(z):
        x = base.copy()
        x[free] = z * scale
        return x

    def leads(z):
        value, grad = geo.media_grad(full(z))
        return value / lead_scale, grad[free] * scale / lead_scale

    constraints = []
    n = int(free.sum())
    for t in np.nonzero(np.isfinite(caps))[0]:
        row = np.zeros_like(free)
        row[t] = free[t]
        a, b = row[free].astype(float), (caps[t] - base[t].sum()) / scale
        constraints.append({"type": "ineq", "fun": lambda z, a=a, b=b: np.array([b - a @ z]),
                            "jac": lambda z, a=a: -a[None, :]})
    if target_media is None:
        total = (amount - base.sum()) / scale
        constraints.append({"type": "eq", "fun": lambda z: np.array([z.sum() - total]),
                            "jac": lambda z: np.ones((1, n))})

        def objective(z):
            value, grad = leads(z)
            return -value, -grad
    else:
        goal = target_media / lead_scale
        constraints.append({"type": "ineq", "fun": lambda z: np.array([leads(z)[0] - goal]),
                            "jac": lambda z: leads(z)[1][None, :]})

        def objective(z):
            return float(z.sum()), np.ones_like(z)
    with one_thread():
        result = minimize(objective, x0[free] / scale, jac=True, method="SLSQP",
                          bounds=list(zip(lo[free] / scale, hi[free] / scale, strict=True)),
                          constraints=constraints, options={"maxiter": GEO_SLSQP_ITERATIONS, "ftol": 1e-9})
    if not np.all(np.isfinite(result.x)):
        return None
    return np.clip(full(np.asarray(result.x)), lo, hi)


def _conserve(x: np.ndarray, lo, hi, free, caps, amount: float) -> np.ndarray:
    """``x`` with its total moved to ``amount`` within the bounds and month caps: the euros a solver's
    tolerance left over (or took too many) go to (or come from) the free cells in proportion to their room."""
    x = x.copy()
    for _ in range(8):
        gap = amount - x.sum()
        if abs(gap) <= 1e-7 * max(amount, 1.0):
            break
        if gap > 0:
            room = np.where(free, np.minimum(hi - x, np.maximum(caps - x.sum(axis=1), 0.0)[:, None]), 0.0)
        else:
            room = np.where(free, x - lo, 0.0)
        total = room.sum()
        if total <= 0:
            break
        x += np.sign(gap) * room * min(abs(gap) / total, 1.0)
    return x


def _geo_binding(spend, lb, ub, geo: _Geo, lock, held, caps, budget, target_media, periods, regions, channels
                 ) -> list[GeoBinding]:
    """The constraints the allocation sits on, one line per channel and kind (not one per cell)."""
    out = []
    tol = np.maximum(1.0, 1e-6 * np.abs(ub))
    movable = ~lock & ~held & np.broadcast_to(geo.present, spend.shape) & (ub - lb > 1e-9)
    of = np.broadcast_to(geo.present, spend.shape).sum(axis=(0, 1))
    hist_max = np.broadcast_to(geo.hist_max, spend.shape)
    hist_min = np.broadcast_to(geo.hist_min, spend.shape)
    if budget is not None and spend.sum() >= budget - max(1.0, 1e-6 * budget):
        out.append(GeoBinding("budget", None, int(movable.sum()), int(movable.sum()), list(regions), list(periods),
                              float(budget), float(budget)))
    rows = spend.sum(axis=(1, 2))
    capped = [t for t in np.nonzero(np.isfinite(caps))[0] if rows[t] >= caps[t] - max(1.0, 1e-6 * caps[t])]
    if capped:
        out.append(GeoBinding("period_budget", None, len(capped), len(periods), list(regions),
                              [periods[t] for t in capped], float(caps[capped].min()), float(caps[capped].max())))
    if target_media is not None:
        out.append(GeoBinding("target", None, int(movable.sum()), int(movable.sum()), list(regions), list(periods),
                              float(target_media), float(target_media)))
    at_max = movable & (spend >= ub - tol)
    at_min = movable & (spend <= lb + tol) & (lb > 0)
    out += _grouped_binding("max", at_max, ub, channels, regions, periods, of, np.isclose(ub, hist_max))
    out += _grouped_binding("min", at_min, lb, channels, regions, periods, of, np.isclose(lb, hist_min))
    out += _grouped_binding("locked", lock & np.broadcast_to(geo.present, spend.shape), spend, channels, regions,
                            periods, of)
    out += _grouped_binding("held", held & np.broadcast_to(geo.present, spend.shape), spend, channels, regions,
                            periods, of)
    return out


def _extrapolated(spend, geo: _Geo, channels, regions) -> list[Extrapolation]:
    """Per channel, the cells outside their region's historical monthly range (a euro's tolerance)."""
    high = spend > geo.hist_max[None] + np.maximum(1.0, 1e-6 * geo.hist_max[None])
    low = spend < geo.hist_min[None] - np.maximum(1.0, 1e-6 * geo.hist_min[None])
    out = []
    for c, channel in enumerate(channels):
        cells = (high | low)[:, :, c]
        if not cells.any():
            continue
        beyond = (np.where(high[:, :, c], spend[:, :, c] - geo.hist_max[None, :, c], 0.0)
                  + np.where(low[:, :, c], geo.hist_min[None, :, c] - spend[:, :, c], 0.0))
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(high[:, :, c], spend[:, :, c] / geo.hist_max[None, :, c], 0.0)
        out.append(Extrapolation(channel, int(cells.sum()), [regions[r] for r in np.nonzero(cells.any(axis=0))[0]],
                                 float(spend[:, :, c][cells].sum()), float(beyond.sum()),
                                 float(np.nanmax(ratio)) if np.any(high[:, :, c]) else 1.0))
    return out
