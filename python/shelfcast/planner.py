"""`ReorderPlanner`: from demand forecasts and an inventory snapshot to reorder decisions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _core
from ._frame import require_columns
from ._inventory import inventory_columns as _inventory_columns
from .exceptions import (
    ColumnTypeError,
    InvalidItemError,
    InvalidParameterError,
)
from .forecaster import DemandForecaster
from .simulation import SimulationResult, simulate_policy

__all__ = ["ReorderPlanner"]

_REASONS = np.array(
    [
        "",
        "inventory position stays above the reorder point over the planning horizon",
        "no demand forecast and inventory position above the reorder point",
    ],
    dtype=object,
)


class ReorderPlanner:
    """Turn demand forecasts and an inventory snapshot into reorder decisions per item.

    The policy is a continuous-review (s, Q) policy with a normal approximation of
    lead-time demand:

    * lead-time demand ``μ_L`` = the forecast summed over the lead time ``L`` (a fractional
      last period counts pro rata); its standard deviation
      ``σ_L = sqrt(L·σ² + d̄²·σ_LT²)`` with ``σ`` the per-period forecast error, ``d̄`` the mean
      forecast per period over the horizon and ``σ_LT`` the lead-time standard deviation;
    * safety stock ``z·σ_L`` with ``z = Φ⁻¹(service_level)`` (cycle service level);
      reorder point ``s = μ_L + z·σ_L``;
    * order quantity: the EOQ ``sqrt(2·K·d̄/h)``, at least what brings the inventory position
      (on hand + on order) above ``s``, at least the MOQ, rounded up to whole packs and capped
      at ``max_qty``;
    * the reorder date is the first forecast period at whose start the projected inventory
      position is at or below ``s``; the stockout date is the first period in which projected
      on-hand stock (excluding stock on order, whose arrival date is unknown) goes negative.

    Args:
        service_level: cycle service level in (0, 1).
        horizon: periods ahead to look for the next reorder date (the forecast used is at
            least as long as the longest lead time).
        model: which forecaster model (alias) to plan from; defaults to the first one.

    Raises:
        InvalidParameterError: an argument is out of range.
    """

    def __init__(
        self, *, service_level: float = 0.95, horizon: int = 28, model: str | None = None
    ) -> None:
        if isinstance(service_level, bool) or not isinstance(service_level, (int, float)):
            raise InvalidParameterError(
                f"service_level must be a number, got {type(service_level).__name__}"
            )
        if not 0.0 < float(service_level) < 1.0:
            raise InvalidParameterError(
                f"service_level must be strictly between 0 and 1, got {service_level}"
            )
        if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
            raise InvalidParameterError(f"horizon must be a positive integer, got {horizon!r}")
        self.service_level = float(service_level)
        self.horizon = int(horizon)
        self.model = model
        self.policy = "sQ"
        self.review_period: int | None = None
        self._core = _core.ReorderPlanner(service_level=self.service_level)

    def plan(
        self, forecast: DemandForecaster | pd.DataFrame, inventory: pd.DataFrame
    ) -> pd.DataFrame:
        """Plan the next order of every item in ``inventory``.

        Args:
            forecast: a fitted :class:`DemandForecaster` (its per-series one-step RMSE is the
                per-period σ), or a DataFrame ``unique_id, ds, <mean column>, sd`` where the
                mean column is ``model`` (or ``mean``) and ``sd`` is the per-period standard
                deviation of demand.
            inventory: one row per item: ``unique_id, on_hand, lead_time`` (periods),
                ``order_cost``, and ``holding_cost`` (per unit per period) or
                ``holding_rate`` (fraction of ``unit_cost`` per period) with ``unit_cost``;
                optional ``on_order`` (0), ``lead_time_sd`` (0), ``moq`` (0),
                ``pack_size`` (1), ``max_qty`` (no cap).

        Returns:
            One row per item: ``unique_id, on_hand, on_order, inventory_position,
            lead_time, lead_time_demand, lead_time_demand_sd, safety_stock, reorder_point,
            eoq, order_qty, order_up_to, reorder_date, order_now, stockout_date,
            days_of_supply, reason`` (``reason`` says why no order is due, "" otherwise).

        Raises:
            MissingColumnError, ColumnTypeError: a column is absent or not numeric.
            DuplicateRowError: an item appears twice in ``inventory``.
            InvalidItemError: an item is missing from the forecast or has an invalid value
                (the message names the item and column).
        """
        inv = _inventory_columns(inventory)
        ids = inv.pop("unique_id")
        needed = int(np.ceil(inv["lead_time"].max())) if len(ids) else 0
        h = max(self.horizon, needed, 1)
        mean, sigma, dates = self._demand(forecast, ids, h)
        raw = self._core.plan(
            mean,
            sigma,
            inv["on_hand"],
            inv["on_order"],
            inv["lead_time"],
            inv["lead_time_sd"],
            inv["holding_cost"],
            inv["order_cost"],
            inv["moq"],
            inv["pack_size"],
            inv["max_qty"],
        )
        return _assemble(ids, inv, raw, dates)

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
        )

    def _demand(
        self, forecast: DemandForecaster | pd.DataFrame, ids: np.ndarray, h: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if isinstance(forecast, DemandForecaster):
            col = self.model or forecast.model_names[0]
            if col not in forecast.model_names:
                raise InvalidParameterError(
                    f"model {col!r} is not in the forecaster; it has {forecast.model_names}"
                )
            pred = forecast.predict(h)
            sd = forecast.residual_std().set_index("unique_id")[col]
            frame = pred[["unique_id", "ds", col]].rename(columns={col: "mean"})
            frame["sd"] = pd.Series(sd).reindex(frame["unique_id"]).to_numpy()
        elif isinstance(forecast, pd.DataFrame):
            col = self.model or "mean"
            require_columns(forecast, ["unique_id", "ds", col, "sd"], "forecast")
            frame = forecast[["unique_id", "ds", col, "sd"]].rename(columns={col: "mean"})
        else:
            raise ColumnTypeError(
                "forecast must be a fitted DemandForecaster or a DataFrame, "
                f"got {type(forecast).__name__}"
            )
        frame = frame.sort_values(["unique_id", "ds"], kind="stable")
        known = pd.Index(frame["unique_id"].unique())
        missing = pd.Index(ids).difference(known)
        if len(missing):
            raise InvalidItemError(
                f"items {list(missing[:10])} are in the inventory but not in the forecast"
            )
        frame = frame[frame["unique_id"].isin(pd.Index(ids))]
        frame = frame.groupby("unique_id", sort=False).head(h)
        counts = frame.groupby("unique_id", sort=False).size().reindex(ids)
        short = counts[counts < h]
        if len(short):
            raise InvalidItemError(
                f"item {short.index[0]!r}: forecast has {short.iloc[0]} periods, the plan "
                f"needs {h} (the horizon and the longest lead time)"
            )
        pos = pd.Index(frame["unique_id"].unique()).get_indexer(ids)
        mean = frame["mean"].to_numpy(dtype=np.float64).reshape(-1, h)[pos]
        sd_rows = frame["sd"].to_numpy(dtype=np.float64).reshape(-1, h)[pos]
        dates = frame["ds"].to_numpy().reshape(-1, h)[pos]
        bad = ~np.isfinite(sd_rows) | (sd_rows < 0)
        if bad.any():
            i = int(np.flatnonzero(bad.any(axis=1))[0])
            raise InvalidItemError(f"item {ids[i]!r}: column 'sd' must be finite and >= 0")
        # Per-period sigma: the root mean square of the per-period sds over the horizon.
        sigma = np.sqrt(np.mean(sd_rows**2, axis=1))
        return np.ascontiguousarray(mean), sigma, dates

    def __repr__(self) -> str:
        return (
            f"ReorderPlanner(service_level={self.service_level}, horizon={self.horizon}, "
            f"model={self.model!r})"
        )


def _assemble(
    ids: np.ndarray, inv: dict[str, np.ndarray], raw: dict[str, np.ndarray], dates: np.ndarray
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
            "order_qty": raw["order_qty"].astype(np.int64),
            "order_up_to": raw["order_up_to"],
            "reorder_date": date_at(reorder),
            "order_now": reorder == 0,
            "stockout_date": date_at(raw["stockout_period"]),
            "days_of_supply": raw["days_of_supply"],
            "reason": _REASONS[raw["reason"].astype(np.int64)],
        }
    )
