"""`ReorderPlanner`: from demand forecasts and an inventory snapshot to reorder decisions."""

from __future__ import annotations

import logging
from typing import Literal, overload

import numpy as np
import pandas as pd

from . import _core
from ._forecast_input import DemandInput, demand_input
from ._inventory import inventory_columns as _inventory_columns
from ._inventory import naming_items
from ._polars import polars_io
from .exceptions import InvalidItemError, InvalidParameterError
from .forecaster import DemandForecaster
from .simulation import POLICIES, SimulationResult, simulate_policy

__all__ = ["ReorderPlanner"]

log = logging.getLogger(__name__)

_REASONS = np.array(
    [
        "",
        "inventory position stays above the reorder point over the planning horizon",
        "no demand forecast (negligible forecast demand per period): nothing to reorder",
    ],
    dtype=object,
)
_REASONS_PERIODIC = np.array(
    [
        "",
        "inventory position is at or above the order-up-to level at every review over the "
        "planning horizon",
        "no demand forecast and inventory position at or above the order-up-to level",
    ],
    dtype=object,
)
_DISTRIBUTIONS = np.array(["normal", "poisson", "negative_binomial", "empirical"], dtype=object)
_SERVICE_TYPES = ("cycle", "fill_rate")
_DISTRIBUTION_CHOICES = ("auto", "normal", "discrete")


def _check_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise InvalidParameterError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


class ReorderPlanner:
    """Turn demand forecasts and an inventory snapshot into reorder decisions per item.

    Reviews happen at the start of each period; an order placed in period *t* arrives at
    the start of period *t + L*. For each item:

    * **demand over the lead time** *L*: mean ``μ_L`` = the forecast summed over *L* (a
      fractional last period pro rata); sd ``σ_L = sqrt(L·σ² + d̄²·σ_LT²)`` with ``σ`` the
      per-period forecast error, ``d̄`` the mean forecast per period over the horizon and
      ``σ_LT`` the lead-time sd. Its distribution (``distribution``): normal; discrete —
      Poisson, or negative binomial when the variance exceeds the mean, moment-matched —
      so slow and intermittent items get whole-unit levels; ``"auto"`` (default) uses the
      discrete one below ``discrete_below`` units of mean demand over the protection
      interval, and the *empirical* distribution of the lead-time sums of the forecaster's
      sample paths when it has ``sample_paths`` (summing paths over the lead time, not
      per-step quantiles).
    * **policy** (``policy``): ``"sQ"`` reorder point *s* and order quantity *Q* (the EOQ
      ``sqrt(2·K·d̄/h)`` rounded to MOQ / packs / ``max_qty``); ``"sS"`` order up to
      *S = s + Q*; ``"RS"`` every ``review_period`` periods order up to *S*, which protects
      over *L + R* periods; ``"base_stock"`` the same with *R = 1*.
    * **service target** (``service_type``): ``"cycle"`` — *s* (or *S*) is the
      ``service_level`` quantile of demand over *L* (over *L + R* for RS / base stock);
      ``"fill_rate"`` — the smallest level whose expected fill rate reaches it. Fill rates
      are exact for daily review: for (s, nQ) the position after ordering is uniform on
      (s, s + Q] and the expected shortage per period is ``E[(D_{L+1} − y)⁺ − (D_L − y)⁺]``
      averaged over it (second-order loss functions); for (R, S) it is
      ``[n_{L+R}(S) − n_L(S)] / R``. The cycle service level of (s, Q) / (s, S) is the
      continuous-review ``P(D_L <= s)``, which ignores the undershoot of *s* at a review.
    * **dates**: the reorder date is the first period at whose start the projected position
      (on hand + on order − forecast) calls for an order (at or below *s*; below *S* on a
      review day); the stockout date is the first period in which projected on-hand stock
      (excluding stock on order, whose arrival date is unknown) goes negative. The first
      (s, Q) order is the EOQ or, if larger, what lifts the position back to *s*.

    Args:
        service_level: target in (0, 1): a cycle service level or a fill rate.
        horizon: periods ahead to look for the next reorder date (the forecast used is at
            least as long as the longest lead time).
        model: which forecaster model (alias) to plan from; defaults to the first one.
        service_type: ``"cycle"`` or ``"fill_rate"``.
        policy: ``"sQ"``, ``"sS"``, ``"RS"`` or ``"base_stock"``.
        review_period: periods between reviews for ``"RS"`` (required there).
        distribution: ``"auto"``, ``"normal"`` or ``"discrete"``.
        discrete_below: with ``"auto"``, use a discrete distribution when mean demand over
            the protection interval is below this many units.
        n_paths: sample paths to draw from a forecaster with ``sample_paths``.
        seed: seed passed to ``sample_paths``.

    Raises:
        InvalidParameterError: an argument is out of range.
    """

    def __init__(
        self,
        *,
        service_level: float = 0.95,
        horizon: int = 28,
        model: str | None = None,
        service_type: str = "cycle",
        policy: str = "sQ",
        review_period: int | None = None,
        distribution: str = "auto",
        discrete_below: float = 20.0,
        n_paths: int = 1000,
        seed: int = 0,
    ) -> None:
        if isinstance(service_level, bool) or not isinstance(service_level, (int, float)):
            raise InvalidParameterError(
                f"service_level must be a number, got {type(service_level).__name__}"
            )
        if not 0.0 < float(service_level) < 1.0:
            raise InvalidParameterError(
                f"service_level must be strictly between 0 and 1, got {service_level}"
            )
        self.horizon = _check_int("horizon", horizon, 1)
        if service_type not in _SERVICE_TYPES:
            raise InvalidParameterError(
                f"service_type must be one of {_SERVICE_TYPES}, got {service_type!r}"
            )
        if policy not in POLICIES:
            raise InvalidParameterError(f"policy must be one of {POLICIES}, got {policy!r}")
        if policy == "RS" and review_period is None:
            raise InvalidParameterError("policy='RS' needs review_period (periods between reviews)")
        if review_period is not None:
            review_period = _check_int("review_period", review_period, 1)
        if distribution not in _DISTRIBUTION_CHOICES:
            raise InvalidParameterError(
                f"distribution must be one of {_DISTRIBUTION_CHOICES}, got {distribution!r}"
            )
        self.service_level = float(service_level)
        self.model = model
        self.service_type = service_type
        self.policy = policy
        self.review_period = review_period
        self.distribution = distribution
        self.discrete_below = float(discrete_below)
        self.n_paths = _check_int("n_paths", n_paths, 1)
        self.seed = int(seed)
        self._core = _core.ReorderPlanner(
            service_level=self.service_level,
            service_type=service_type,
            policy=policy,
            review_period=review_period or 1,
            distribution=distribution,
            discrete_below=self.discrete_below,
        )

    def _run(
        self,
        forecast: DemandForecaster | pd.DataFrame | object,
        inventory: pd.DataFrame,
        horizon: int,
        start: str | pd.Timestamp | None,
        X_df: pd.DataFrame | None = None,
    ) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray], DemandInput]:
        inv = _inventory_columns(inventory)
        ids = inv.pop("unique_id")
        lead = inv["lead_time"]
        bad = ~np.isfinite(lead) | (lead < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InvalidItemError(
                f"item {ids[i]!r}: column `lead_time` must be finite and >= 0, got {lead[i]}"
            )
        needed = int(np.ceil(lead.max())) if len(ids) else 0
        h = max(horizon, needed, 1)
        demand = demand_input(
            forecast,
            ids,
            h,
            self.model,
            paths=self.distribution == "auto",
            n_paths=self.n_paths,
            seed=self.seed,
            start=None if start is None else pd.Timestamp(start),
            X_df=X_df,
        )
        levels = None
        if "service_level" in inventory.columns:
            levels = inventory["service_level"].to_numpy(dtype=np.float64, na_value=np.nan)
        raw = naming_items(
            ids,
            lambda: self._core.plan(
                demand.mean,
                demand.sigma,
                inv["on_hand"],
                inv["on_order"],
                inv["lead_time"],
                inv["lead_time_sd"],
                inv["holding_cost"],
                inv["order_cost"],
                inv["moq"],
                inv["pack_size"],
                inv["max_qty"],
                paths=demand.paths,
                service_levels=levels,
                horizon=h,
            ),
        )
        return ids, inv, raw, demand

    @polars_io("forecast", "inventory")
    def plan(
        self,
        forecast: DemandForecaster | pd.DataFrame | object,
        inventory: pd.DataFrame,
        *,
        start: str | pd.Timestamp | None = None,
        X_df: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Plan the next order of every item in ``inventory``.

        Args:
            forecast: a fitted :class:`DemandForecaster` (its per-series one-step RMSE is the
                per-period σ; its ``sample_paths``, when it has one, give the lead-time
                demand distribution), any object with ``predict`` / ``residual_std`` (and
                optionally ``sample_paths``) like it, or a DataFrame: ``unique_id, ds,
                <mean column>`` where the mean column is ``model`` (or ``mean``) with a
                per-period ``sd``, prediction intervals ``<mean>-lo-<level>`` /
                ``<mean>-hi-<level>`` or quantiles ``<mean>-q-<pct>`` (percent, as ``predict``
                names them); without ``ds``, one row per item with a constant mean and sd
                per period (dates then start at ``start``).
            inventory: one row per item: ``unique_id, on_hand, lead_time`` (periods),
                ``order_cost``, and ``holding_cost`` (per unit per period) or
                ``holding_rate`` (fraction of ``unit_cost`` per period) with ``unit_cost``;
                optional ``on_order`` (0), ``lead_time_sd`` (0), ``moq`` (0),
                ``pack_size`` (1), ``max_qty`` (no cap), ``service_level`` (per-item target
                overriding the planner's).
            start: first date of a forecast without ``ds`` (default: today).
            X_df: future exogenous regressors for a forecaster whose models use them
                (``unique_id, ds`` and every regressor, one row per item and period of the
                horizon and the longest lead time), passed to its ``predict`` and
                ``sample_paths``.

        Returns:
            One row per item: ``unique_id, on_hand, on_order, inventory_position,
            lead_time, lead_time_demand, lead_time_demand_sd, safety_stock, reorder_point,
            eoq, order_qty, order_up_to, reorder_date, order_now, stockout_date,
            days_of_supply, reason`` (``reason`` says why no order is due, "" otherwise),
            ``expected_fill_rate, expected_cycle_service_level`` (of the policy at the
            planned levels) and ``distribution`` (of lead-time demand: normal, poisson,
            negative_binomial or empirical).

        Raises:
            MissingColumnError, ColumnTypeError: a column is absent or not numeric.
            DuplicateRowError: an item appears twice in ``inventory``.
            InvalidItemError: an item is missing from the forecast or has an invalid value
                (the message names the item and column).
        """
        ids, inv, raw, demand = self._run(forecast, inventory, self.horizon, start, X_df)
        reasons = _REASONS if self.policy in ("sQ", "sS") else _REASONS_PERIODIC
        log.info(
            "planned %d items (policy %s): %d order now, %d projected stockouts",
            len(ids),
            self.policy,
            int(np.sum(raw["reorder_period"] == 0)),
            int(np.sum(raw["stockout_period"] >= 0)),
        )
        return _assemble(ids, inv, raw, demand.dates, reasons)

    @polars_io("forecast", "inventory")
    def schedule(
        self,
        forecast: DemandForecaster | pd.DataFrame | object,
        inventory: pd.DataFrame,
        horizon: int | None = None,
        *,
        start: str | pd.Timestamp | None = None,
        X_df: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Every order over the horizon, from the inventory projected on the mean forecast.

        The plan's levels (reorder point, order quantity, order-up-to level) are replayed
        period by period on the forecast mean (shortfalls backordered, on-order stock
        arriving after the lead time), so an item can order several times; quantities
        respect MOQ, pack size and ``max_qty``. (s, Q) orders are the smallest multiple of
        *Q* that lifts the position above *s*, as in :meth:`simulate`.

        Args:
            forecast: as for :meth:`plan`.
            inventory: as for :meth:`plan`.
            horizon: periods to schedule (default: the planner's ``horizon``).
            start: first date of a forecast without ``ds``.
            X_df: future exogenous regressors, as for :meth:`plan`.

        Returns:
            One row per order, sorted by date: ``unique_id, order_date, arrival_date,
            quantity``.

        Raises:
            InvalidItemError, MissingColumnError, ColumnTypeError: as for :meth:`plan`.
        """
        h = self.horizon if horizon is None else _check_int("horizon", horizon, 1)
        ids, inv, raw, demand = self._run(forecast, inventory, h, start, X_df)
        floor = np.maximum(np.maximum(inv["pack_size"], inv["moq"]), 1.0)
        levels = pd.DataFrame(
            {
                "unique_id": ids,
                "reorder_point": raw["reorder_point"],
                "order_quantity": np.where(raw["eoq"] > 0, raw["eoq"], floor),
                "order_up_to": raw["order_up_to"],
            }
        )
        m = demand.mean
        mean = np.clip(np.broadcast_to(m, (len(ids), max(m.shape[1], h)))[:, :h], 0.0, None)
        _, trace = simulate_policy(
            mean,
            inventory,
            levels,
            policy=self.policy,
            lost_sales=False,
            lead_time_sd=0.0,
            review_period=self.review_period,
            trace=True,
        )
        ordered = trace["ordered"].to_numpy().reshape(len(ids), h)
        item, period = np.nonzero(ordered > 0)
        dates = demand.dates[:, :h].astype("datetime64[ns]")
        step = dates[:, 1] - dates[:, 0] if h > 1 else np.full(len(ids), np.timedelta64(1, "D"))
        lead = np.round(inv["lead_time"]).astype(np.int64)
        order_date = dates[item, period]
        out = pd.DataFrame(
            {
                "unique_id": ids[item],
                "order_date": order_date,
                "arrival_date": order_date + lead[item] * step[item],
                "quantity": ordered[item, period],
            }
        )
        return out.sort_values(["order_date", "unique_id"], kind="stable").reset_index(drop=True)

    @overload
    def simulate(
        self,
        demand: pd.DataFrame | np.ndarray,
        inventory: pd.DataFrame,
        plan: pd.DataFrame,
        *,
        lost_sales: bool = ...,
        lead_time_sd: float | np.ndarray | None = ...,
        trace: Literal[False] = ...,
        seed: int = ...,
        initial: str = ...,
    ) -> pd.DataFrame: ...
    @overload
    def simulate(
        self,
        demand: pd.DataFrame | np.ndarray,
        inventory: pd.DataFrame,
        plan: pd.DataFrame,
        *,
        lost_sales: bool = ...,
        lead_time_sd: float | np.ndarray | None = ...,
        trace: Literal[True],
        seed: int = ...,
        initial: str = ...,
    ) -> SimulationResult: ...
    @overload
    def simulate(
        self,
        demand: pd.DataFrame | np.ndarray,
        inventory: pd.DataFrame,
        plan: pd.DataFrame,
        *,
        lost_sales: bool = ...,
        lead_time_sd: float | np.ndarray | None = ...,
        trace: bool,
        seed: int = ...,
        initial: str = ...,
    ) -> pd.DataFrame | SimulationResult: ...
    @polars_io("demand", "inventory", "plan")
    def simulate(
        self,
        demand: pd.DataFrame | np.ndarray,
        inventory: pd.DataFrame,
        plan: pd.DataFrame,
        *,
        lost_sales: bool = True,
        lead_time_sd: float | np.ndarray | None = None,
        trace: bool = False,
        seed: int = 0,
        initial: str = "snapshot",
    ) -> pd.DataFrame | SimulationResult:
        """Replay actual demand through this planner's policy (natively, items in parallel).

        Args:
            demand: actual demand, long ``unique_id, ds, y`` or an array
                ``(n_items, periods)`` in the order of ``inventory``'s rows.
            inventory: the starting snapshot, optionally with ``stockout_cost``.
            plan: a plan from :meth:`plan`, or policy parameters per ``unique_id``
                (``reorder_point``, ``order_quantity``/``eoq``, ``order_up_to``).
            lost_sales: unmet demand is lost (True) or backordered (False).
            lead_time_sd: overrides the inventory's ``lead_time_sd``.
            trace: also return the per-period trace.
            seed: seed of the lead-time draws.
            initial: ``"snapshot"`` starts from ``inventory``'s stock; ``"order_up_to"``
                starts each item at the top of its policy cycle with nothing on order
                (the steady state, without the start-up transient; see
                :func:`shelfcast.simulation.simulate_policy`).

        Returns:
            Per item: fill rate, cycle service level, stockout days, average on hand,
            orders placed, holding / ordering / shortage / total cost (see
            :func:`shelfcast.simulation.simulate_policy`); with ``trace=True`` a
            :class:`~shelfcast.simulation.SimulationResult` (summary, trace).

        Raises:
            InvalidItemError: an item is missing or invalid (names the item and column).
        """
        return simulate_policy(
            demand,
            inventory,
            plan,
            policy=self.policy,
            lost_sales=lost_sales,
            lead_time_sd=lead_time_sd,
            review_period=self.review_period,
            trace=trace,
            seed=seed,
            initial=initial,
        )

    def __repr__(self) -> str:
        extra = ""
        if self.service_type != "cycle":
            extra += f", service_type={self.service_type!r}"
        if self.policy != "sQ":
            extra += f", policy={self.policy!r}"
        if self.review_period is not None:
            extra += f", review_period={self.review_period}"
        if self.distribution != "auto":
            extra += f", distribution={self.distribution!r}"
        return (
            f"ReorderPlanner(service_level={self.service_level}, horizon={self.horizon}, "
            f"model={self.model!r}{extra})"
        )


def _assemble(
    ids: np.ndarray,
    inv: dict[str, np.ndarray],
    raw: dict[str, np.ndarray],
    dates: np.ndarray,
    reasons: np.ndarray,
) -> pd.DataFrame:
    n = len(ids)
    rows = np.arange(n)

    def date_at(period: np.ndarray) -> np.ndarray:
        out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        ok = period >= 0
        if n:
            out[ok] = dates[rows[ok], period[ok]].astype("datetime64[ns]")
        return out

    reorder = raw["reorder_period"]
    return pd.DataFrame(
        {
            "unique_id": ids,
            "on_hand": inv["on_hand"],
            "on_order": inv["on_order"],
            "inventory_position": inv["on_hand"] + inv["on_order"],
            "lead_time": inv["lead_time"],
            "lead_time_demand": raw["lead_time_demand"],
            "lead_time_demand_sd": raw["lead_time_demand_sd"],
            "safety_stock": raw["safety_stock"],
            "reorder_point": raw["reorder_point"],
            "eoq": raw["eoq"],
            "order_qty": _units(raw["order_qty"]),
            "order_up_to": raw["order_up_to"],
            "reorder_date": date_at(reorder),
            "order_now": reorder == 0,
            "stockout_date": date_at(raw["stockout_period"]),
            "days_of_supply": raw["days_of_supply"],
            "reason": reasons[raw["reason"].astype(np.int64)],
            "expected_fill_rate": raw["expected_fill_rate"],
            "expected_cycle_service_level": raw["expected_cycle_service_level"],
            "distribution": _DISTRIBUTIONS[raw["distribution"].astype(np.int64)],
        },
        copy=False,  # no block consolidation: one column per array, no copies
    )


def _units(q: np.ndarray) -> np.ndarray:
    """Order quantities as int64 when they are whole units (the usual case), else float."""
    return q.astype(np.int64) if np.all(q == np.round(q)) else q
