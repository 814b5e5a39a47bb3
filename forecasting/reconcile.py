"""Coherent forecasts for a hierarchy (total > channel > channel x region, or total > region, ...).

Method: MinT with a shrinkage covariance (Wickramasuriya, Athanasopoulos & Hyndman 2019).

1. Every node (total, each channel, each channel x region...) has its own base forecast ``yhat``
   (``n_nodes x H``) and residuals (``n_nodes x T``: in-sample one-step or backtest errors on
   common dates; dates missing for any node are dropped).
2. ``W`` is the residual covariance shrunk towards its diagonal (Schafer & Strimmer 2005; the
   intensity ``lambda`` is estimated from the residuals as in R's ``hts``/``fable``:
   ``lambda = sum_{i!=j} Var(r_ij) / sum_{i!=j} r_ij^2`` on standardised residuals, in [0, 1]).
   With fewer than 2 usable dates ``W`` is the identity (OLS reconciliation).
3. The bottom level is ``b = (S' W^-1 S)^-1 S' W^-1 yhat`` (``S`` the summing matrix) and every
   node is ``S b``, so parts sum exactly to their totals.
4. Never negative: bottom forecasts below zero are set to zero and all nodes are rebuilt from the
   bottom (``S b``). Coherence stays exact; totals then rise by what was clipped (at most the
   negative part, which for counts such as leads is the model's own error).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass
class Hierarchy:
    """Nodes and summing matrix. A node key has one entry per dimension, ``None`` when summed over."""

    nodes: list[tuple]
    bottom: list[tuple]
    S: np.ndarray

    def index(self, node: tuple) -> int:
        return self.nodes.index(node)


def build_hierarchy(bottom: Sequence[tuple], levels: Sequence[tuple[int, ...]] | None = None) -> Hierarchy:
    """Summing matrix for bottom keys (tuples, e.g. ``(channel, region)``).

    ``levels`` lists the dimensions each aggregate level keeps: ``[(), (0,)]`` (default for
    2 dimensions) gives total and channel above channel x region; ``[(), (1,)]`` total and region;
    ``[(), (0,), (1,)]`` both (a grouped structure). The bottom level is always included last.
    """
    bottom = [tuple(b) for b in bottom]
    if not bottom:
        raise ValueError("no bottom series")
    dims = len(bottom[0])
    if any(len(b) != dims for b in bottom):
        raise ValueError("bottom keys must all have the same number of dimensions")
    if len(set(bottom)) != len(bottom):
        raise ValueError("duplicate bottom keys")
    if levels is None:
        levels = [tuple(range(k)) for k in range(dims)]
    nodes: list[tuple] = []
    rows: list[np.ndarray] = []
    for keep in levels:
        keys: dict[tuple, list[int]] = {}
        for j, b in enumerate(bottom):
            key = tuple(b[d] if d in keep else None for d in range(dims))
            keys.setdefault(key, []).append(j)
        for key, members in keys.items():
            row = np.zeros(len(bottom))
            row[members] = 1.0
            nodes.append(key)
            rows.append(row)
    for j, b in enumerate(bottom):
        row = np.zeros(len(bottom))
        row[j] = 1.0
        nodes.append(b)
        rows.append(row)
    return Hierarchy(nodes, bottom, np.vstack(rows))


def residual_matrix(errors: Sequence[np.ndarray], times: Sequence[np.ndarray]) -> np.ndarray:
    """Stack per-node residuals on the times they all share (``n_nodes x T``).

    ``errors[i][k]`` is node ``i``'s residual at time ``times[i][k]`` (e.g. a
    :class:`~forecasting.selection.SeriesForecast`'s ``one_step_errors`` and ``backtest_origins``).
    """
    common = set(np.asarray(times[0]).tolist())
    for t in times[1:]:
        common &= set(np.asarray(t).tolist())
    keep = np.array(sorted(common), dtype=int)
    rows = []
    for e, t in zip(errors, times, strict=True):
        lookup = dict(zip(np.asarray(t).tolist(), np.asarray(e, dtype=float).tolist(), strict=True))
        rows.append([lookup[k] for k in keep.tolist()])
    return np.array(rows, dtype=float).reshape(len(errors), len(keep))


def shrinkage_covariance(residuals: np.ndarray) -> tuple[np.ndarray, float]:
    """Schafer-Strimmer shrinkage of the (uncentred) residual covariance towards its diagonal.

    ``residuals`` is ``n_series x T``; returns ``(W, lambda)``.
    """
    x = np.asarray(residuals, dtype=float).T  # T x n
    T, n = x.shape
    cov = x.T @ x / T
    var = np.diag(cov).copy()
    floor = max(1e-12, 1e-9 * float(var.max(initial=0.0)))
    var = np.maximum(var, floor)
    sd = np.sqrt(var)
    xs = x / sd
    corr = cov / np.outer(sd, sd)
    np.fill_diagonal(corr, 1.0)
    if T > 1:
        v = (xs**2).T @ (xs**2) - (xs.T @ xs) ** 2 / T
        v /= T * (T - 1)
        np.fill_diagonal(v, 0.0)
        d = corr**2
        np.fill_diagonal(d, 0.0)
        lam = float(np.clip(v.sum() / d.sum(), 0.0, 1.0)) if d.sum() > 0 else 1.0
    else:
        lam = 1.0
    shrunk = lam * np.eye(n) + (1 - lam) * corr
    return shrunk * np.outer(sd, sd), lam


def mint_bottom(forecasts: np.ndarray, S: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Bottom-level MinT forecasts ``(S' W^-1 S)^-1 S' W^-1 yhat`` (``n_bottom x H``)."""
    Winv_S = np.linalg.solve(W, S)
    A = S.T @ Winv_S
    B = Winv_S.T @ forecasts
    return np.linalg.solve(A, B)


def reconcile(
    forecasts: np.ndarray,
    S: np.ndarray,
    residuals: np.ndarray | None = None,
    nonnegative: bool = True,
) -> np.ndarray:
    """Coherent forecasts (``n_nodes x H``) from base forecasts of every node (same order as ``S``)."""
    yhat = np.asarray(forecasts, dtype=float)
    S = np.asarray(S, dtype=float)
    one_dim = yhat.ndim == 1
    if one_dim:
        yhat = yhat[:, None]
    if yhat.shape[0] != S.shape[0]:
        raise ValueError(f"{yhat.shape[0]} forecasts for {S.shape[0]} nodes")
    if not np.all(np.isfinite(yhat)):
        raise ValueError("base forecasts must be finite")
    W = np.eye(S.shape[0])
    if residuals is not None:
        r = np.asarray(residuals, dtype=float)
        if r.shape[0] != S.shape[0]:
            raise ValueError(f"{r.shape[0]} residual series for {S.shape[0]} nodes")
        r = r[:, np.all(np.isfinite(r), axis=0)]
        if r.shape[1] >= 2:
            W, _ = shrinkage_covariance(r)
    bottom = mint_bottom(yhat, S, W)
    if nonnegative:
        bottom = np.maximum(bottom, 0.0)
    out = S @ bottom
    return out[:, 0] if one_dim else out


def reconcile_backtest(
    forecasts: np.ndarray,
    S: np.ndarray,
    residuals: np.ndarray | None = None,
    nonnegative: bool = True,
) -> np.ndarray:
    """Reconcile backtest forecasts (``n_nodes x origins x H``) cell by cell, as the final forecasts are.

    A cell (origin, horizon) is reconciled only where every node has a finite forecast; elsewhere
    it is ``nan`` for all nodes. Intervals calibrated on ``actuals - reconciled`` then describe
    the forecasts actually shown (reconciliation changes both their level and their errors).
    """
    f = np.asarray(forecasts, dtype=float)
    n, origins, horizon = f.shape
    cells = f.reshape(n, origins * horizon)
    usable = np.all(np.isfinite(cells), axis=0)
    out = np.full(cells.shape, np.nan)
    if usable.any():
        out[:, usable] = reconcile(cells[:, usable], S, residuals, nonnegative)
    return out.reshape(n, origins, horizon)
