"""`ReorderPlanner`: from demand forecasts and an inventory snapshot to reorder decisions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _core
from ._frame import require_columns
from .exceptions import (
    ColumnTypeError,
    DuplicateRowError,
    InvalidItemError,
    InvalidParameterError,
    MissingColumnError,
    _rename_culprit,
)
from .forecaster import DemandForecaster

__all__ = ["ReorderPlanner"]

_REASONS = np.array(
    [
        "",
        "inventory position stays above the reorder point over the planning horizon",
        "no demand forecast and inventory position above the reorder point",
    ],
    dtype=object,
)

_OPTIONAL = {"on_order": 0.0, "lead_time_sd": 0.0, "moq": 0.0, "pack_size": 1.0, "max_qty": np.inf}


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
        lead = inv["lead_time"]
        bad = ~np.isfinite(lead) | (lead < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InvalidItemError(
                f"item {ids[i]!r}: column `lead_time` must be finite and >= 0, got {lead[i]}"
            )
        needed = int(np.ceil(lead.max())) if len(ids) else 0
        h = max(self.horizon, needed, 1)
        longest = ids[int(np.argmax(lead))] if len(ids) else None
        mean, sigma, dates = self._demand(forecast, ids, h, longest)
        try:
            raw = self._core.plan(
                mean,
                sigma,
                inv["on_hand"],
                inv["on_order"],
                lead,
                inv["lead_time_sd"],
                inv["holding_cost"],
                inv["order_cost"],
                inv["moq"],
                inv["pack_size"],
                inv["max_qty"],
            )
        except InvalidItemError as e:
            raise _rename_culprit(e, ids, "item") from None
        return _assemble(ids, inv, raw, dates)

    def _demand(
        self,
        forecast: DemandForecaster | pd.DataFrame,
        ids: np.ndarray,
        h: int,
        longest: object = None,
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
                f"needs {h} (the planning horizon {self.horizon}, or the longest lead time, "
                f"of item {longest!r})"
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


def _inventory_columns(inventory: pd.DataFrame) -> dict[str, np.ndarray]:
    require_columns(inventory, ["unique_id", "on_hand", "lead_time", "order_cost"], "inventory")
    if inventory["unique_id"].duplicated().any():
        dup = inventory["unique_id"][inventory["unique_id"].duplicated()].iloc[0]
        raise DuplicateRowError(f"inventory has more than one row for item {dup!r}")
    n = len(inventory)
    out: dict[str, np.ndarray] = {"unique_id": inventory["unique_id"].to_numpy()}

    def num(col: str) -> np.ndarray:
        s = inventory[col]
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            raise ColumnTypeError(f"inventory column {col!r} must be numeric, got {s.dtype}")
        a = s.to_numpy(dtype=np.float64, na_value=np.nan)
        if np.isnan(a).any():
            i = int(np.flatnonzero(np.isnan(a))[0])
            raise InvalidItemError(f"item {out['unique_id'][i]!r}: column {col!r} is missing (NaN)")
        return a

    for col in ("on_hand", "lead_time", "order_cost"):
        out[col] = num(col)
    if "holding_cost" in inventory.columns:
        out["holding_cost"] = num("holding_cost")
    elif "holding_rate" in inventory.columns and "unit_cost" in inventory.columns:
        out["holding_cost"] = num("holding_rate") * num("unit_cost")
    else:
        raise MissingColumnError(
            "inventory needs 'holding_cost' (per unit per period), or 'holding_rate' with "
            f"'unit_cost'; it has {list(inventory.columns)}"
        )
    for col, default in _OPTIONAL.items():
        out[col] = num(col) if col in inventory.columns else np.full(n, default)
    return out


def _units(q: np.ndarray) -> np.ndarray:
    """Order quantities as int64 when they are whole units (the usual case), else float."""
    return q.astype(np.int64) if np.all(q == np.round(q)) else q


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
            "order_qty": _units(raw["order_qty"]),
            "order_up_to": raw["order_up_to"],
            "reorder_date": date_at(reorder),
            "order_now": reorder == 0,
            "stockout_date": date_at(raw["stockout_period"]),
            "days_of_supply": raw["days_of_supply"],
            "reason": _REASONS[raw["reason"].astype(np.int64)],
        }
    )
