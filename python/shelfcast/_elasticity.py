"""Price elasticity and constant-elasticity optimal prices behind
:meth:`shelfcast.SalesMetrics.price_elasticity` / :meth:`~shelfcast.SalesMetrics.optimal_price`.
The regressions run natively through linfa-linear (``src/metrics/elasticity.rs``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from . import _core
from ._frame import Panel, _numeric, require_columns
from ._polars import polars_io, to_pandas_if_polars
from .exceptions import InvalidInputError, InvalidParameterError

__all__ = ["CALENDAR", "PricingMixin", "optimal_price", "price_elasticity"]

CALENDAR = ("dow", "month", "trend")
_Z95 = 1.959963984540054


def _calendar(
    panel: Panel, names: Sequence[str]
) -> tuple[list[np.ndarray], list[tuple[np.ndarray, int]]]:
    """Numeric and categorical (codes, levels) calendar controls."""
    numeric, categorical = [], []
    days = panel.ds.astype("datetime64[D]").view(np.int64)
    for name in names:
        if name == "dow":  # 1970-01-01 was a Thursday; Monday = 0 is the baseline
            categorical.append((np.ascontiguousarray((days + 3) % 7), 7))
        elif name == "month":  # January = 0 is the baseline
            month = pd.DatetimeIndex(panel.ds).month.to_numpy().astype(np.int64) - 1
            categorical.append((month, 12))
        elif name == "trend":
            numeric.append((days - days.min()).astype(np.float64) / 365.25)
        else:
            raise InvalidParameterError(
                f"unknown calendar control {name!r}; known: {list(CALENDAR)}"
            )
    return numeric, categorical


def _groups(source: pd.DataFrame, panel: Panel, groups: object) -> tuple[np.ndarray, np.ndarray]:
    """Group code per item (-1: none) and the group labels."""
    if isinstance(groups, str):
        require_columns(source, [groups], "sales_df")
        col = panel.take(source[groups].to_numpy())
        first = col[panel.offsets[:-1]]
        per_row = np.repeat(first, panel.lengths)
        differs = pd.Series(col).ne(pd.Series(per_row)) & pd.Series(col).notna()
        if differs.any():
            pos = int(np.flatnonzero(differs.to_numpy())[0])
            item = panel.series_ids()[pos]
            raise InvalidInputError(
                f"sales_df column {groups!r} must be constant per item; series {item!r} has "
                f"{first[np.searchsorted(panel.offsets, pos, side='right') - 1]!r} and "
                f"{col[pos]!r}"
            )
        labels = pd.Series(first, index=panel.ids)
    elif isinstance(groups, (Mapping, pd.Series)):
        labels = pd.Series(groups).reindex(panel.ids)
    else:
        raise InvalidParameterError(
            f"groups must be a sales_df column name or a mapping unique_id -> group, got "
            f"{type(groups).__name__}"
        )
    codes, uniques = pd.factorize(labels, sort=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def price_elasticity(
    source: pd.DataFrame,
    panel: Panel,
    price: np.ndarray | None,
    controls: Sequence[str],
    calendar: Sequence[str],
    groups: object,
    min_obs: int,
) -> pd.DataFrame:
    """See :meth:`shelfcast.SalesMetrics.price_elasticity`."""
    if price is None:
        raise InvalidParameterError("price elasticity needs prices: pass price_col to SalesMetrics")
    if isinstance(controls, str) or isinstance(calendar, str):
        raise InvalidParameterError("controls and calendar must be lists of names")
    if isinstance(min_obs, bool) or not isinstance(min_obs, (int, np.integer)) or min_obs < 2:
        raise InvalidParameterError(f"min_obs must be an int >= 2, got {min_obs!r}")
    require_columns(source, list(controls), "sales_df")
    cols = [panel.take(_numeric(source, c, "sales_df")) for c in controls]
    cal_cols, categorical = _calendar(panel, list(calendar))
    cols += cal_cols
    matrix = np.empty((len(panel.y), len(cols)))
    for j, col in enumerate(cols):
        matrix[:, j] = col
    codes = labels = None
    if groups is not None:
        codes, labels = _groups(source, panel, groups)
    raw = _core.Elasticity.fit(
        panel.y, price, matrix, categorical, panel.offsets, codes, int(min_obs)
    )
    key = {"unique_id": panel.ids} if codes is None else {"group": labels}
    est = np.asarray(raw["elasticity"], dtype=np.float64)
    se = np.asarray(raw["se"], dtype=np.float64)
    out = pd.DataFrame(
        {
            **key,
            "elasticity": est,
            "se": se,
            "ci_low": est - _Z95 * se,
            "ci_high": est + _Z95 * se,
            "intercept": raw["intercept"],
            "r2": raw["r2"],
            "n_obs": raw["n_obs"],
            "n_params": raw["n_params"],
            "status": np.array(raw["status"], dtype=object),
        }
    )
    if codes is not None:
        assert labels is not None
        out.insert(1, "n_items", np.bincount(codes[codes >= 0], minlength=len(labels)))
        out = out.drop(columns="intercept")
    return out


def _costs(unit_cost: object, ids: np.ndarray) -> np.ndarray:
    if isinstance(unit_cost, pd.DataFrame):
        require_columns(unit_cost, ["unique_id", "unit_cost"], "unit_cost")
        unit_cost = unit_cost.set_index("unique_id")["unit_cost"]
    if isinstance(unit_cost, (Mapping, pd.Series)):
        c = pd.Series(unit_cost, dtype=np.float64).reindex(ids).to_numpy()
    else:
        try:
            c = np.full(len(ids), float(unit_cost))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise InvalidParameterError(
                "unit_cost must be a number, a mapping/Series unique_id -> cost, or a frame "
                "with unique_id and unit_cost"
            ) from None
    bad = ~(np.isfinite(c) & (c > 0))
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise InvalidParameterError(
            f"unit_cost of series {ids[pos]!r} must be positive and finite, got {c[pos]}"
        )
    return c


def optimal_price(elasticity: pd.DataFrame, unit_cost: object) -> pd.DataFrame:
    """See :meth:`shelfcast.SalesMetrics.optimal_price`."""
    require_columns(elasticity, ["unique_id", "elasticity", "status"], "elasticity")
    ids = elasticity["unique_id"].to_numpy()
    c = _costs(unit_cost, ids)
    eps = elasticity["elasticity"].to_numpy(dtype=np.float64)
    ok = (elasticity["status"].to_numpy() == "ok") & np.isfinite(eps)
    elastic = ok & (eps < -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(elastic, c * eps / (1 + eps), np.nan)
    flag = np.where(elastic, "ok", np.where(ok, "inelastic", "no_estimate")).astype(object)
    return pd.DataFrame(
        {
            "unique_id": ids,
            "elasticity": eps,
            "unit_cost": c,
            "optimal_price": p,
            "markup": p / c,
            "flag": flag,
        }
    )


class PricingMixin:
    """SalesMetrics methods: price elasticity and optimal prices."""

    _panel: Panel
    _price: np.ndarray | None
    _source: pd.DataFrame

    @polars_io()
    def price_elasticity(
        self,
        controls: Sequence[str] = (),
        *,
        calendar: Sequence[str] = (),
        groups: str | Mapping[object, object] | pd.Series | None = None,
        min_obs: int = 10,
    ) -> pd.DataFrame:
        """Constant price elasticity per item (or pooled per group) from log-log OLS.

        Fits ln(units_t) = α + ε·ln(price_t) + Σ_k β_k·control_{t,k} + e_t by ordinary least
        squares through **linfa-linear** (the Rust crate's ``LinearRegression``), on the
        periods with units > 0 and price > 0 (the log of a zero sale is undefined, so
        zero-sale days are left out). ε is the elasticity: a 1% price rise changes units
        by about ε%. Controls that do not vary within an item are dropped for that item.
        With ``groups``, one regression per group pools its items with item fixed
        effects (each item its own α; the within estimator, equal to OLS with item
        dummies). Standard errors are classical OLS ones (σ̂²(X'X)⁻¹, σ̂² = RSS/(n − p)
        with p counting the intercept or item effects); ``ci_low``/``ci_high`` are
        ε ± 1.96·se. Results equal statsmodels' ``OLS`` on the same rows.

        Args:
            controls: numeric columns of ``sales_df`` to control for (promotion flags,
                discounts, events...).
            calendar: built-in calendar controls: ``"dow"`` (day-of-week dummies, Monday
                baseline), ``"month"`` (month dummies, January baseline), ``"trend"``
                (time in years).
            groups: pool items per group: a ``sales_df`` column constant per item, or a
                mapping / Series unique_id -> group (items mapped to nothing are left out).
            min_obs: the fewest usable periods a regression needs (also at least the
                number of coefficients + 1).

        Returns:
            Per item: ``unique_id, elasticity, se, ci_low, ci_high, intercept, r2, n_obs,
            n_params, status``; per group: ``group, n_items, elasticity, se, ci_low,
            ci_high, r2, n_obs, n_params, status``. ``status`` is ``ok``,
            ``too_few_observations``, ``no_price_variation`` (a constant price identifies
            nothing) or ``singular`` (collinear controls); estimates are NaN unless ok.

        Raises:
            InvalidParameterError: no ``price_col``, unknown calendar control, bad
                ``groups`` or ``min_obs``.
            MissingColumnError, ColumnTypeError: a control column is absent or not numeric.
            InvalidSeriesError: a control is NaN on a usable period.
            InvalidInputError: a ``groups`` column varies within an item.
        """
        return price_elasticity(
            to_pandas_if_polars(self._source),
            self._panel,
            self._price,
            controls,
            calendar,
            groups,
            min_obs,
        )

    @polars_io("unit_cost", "elasticity")
    def optimal_price(
        self,
        unit_cost: float | Mapping[object, float] | pd.Series | pd.DataFrame,
        *,
        elasticity: pd.DataFrame | None = None,
        controls: Sequence[str] = (),
        calendar: Sequence[str] = (),
    ) -> pd.DataFrame:
        """Profit-maximising price under constant elasticity.

        With demand q = A·p^ε and unit cost c, profit (p − c)·q peaks at
        p* = c·ε / (1 + ε) when ε < −1 (the Lerner / inverse-elasticity rule). When
        ε ≥ −1 demand is inelastic and profit keeps rising with price inside the model:
        there is no finite optimum and the item is flagged ``inelastic``.

        Args:
            unit_cost: one cost for every item, a mapping / Series unique_id -> cost, or a
                frame with ``unique_id, unit_cost``.
            elasticity: the output of :meth:`price_elasticity` (default: computed with
                ``controls`` and ``calendar``).
            controls: passed to :meth:`price_elasticity` when ``elasticity`` is None.
            calendar: passed to :meth:`price_elasticity` when ``elasticity`` is None.

        Returns:
            DataFrame ``unique_id, elasticity, unit_cost, optimal_price, markup, flag`` with
            markup = p*/c and flag ``ok``, ``inelastic`` (ε ≥ −1) or ``no_estimate``
            (the regression failed); optimal_price is NaN unless ok.

        Raises:
            InvalidParameterError: a cost is missing, not positive or not finite.
        """
        if elasticity is None:
            elasticity = self.price_elasticity(controls, calendar=calendar)
        return optimal_price(elasticity, unit_cost)
