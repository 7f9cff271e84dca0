"""SalesMetrics methods for inventory and loss prevention: KPIs, phantom stock, shrinkage,
supplier lead times and returns (the engines live in ``_inventory_kpis`` and ``_returns``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from . import _inventory_kpis, _returns
from ._frame import Panel
from ._polars import polars_io
from ._returns import ReturnsAnalysis

__all__ = ["InventoryMixin", "ReturnsAnalysis"]


class InventoryMixin:
    """SalesMetrics methods over inventory data."""

    _panel: Panel
    _price: np.ndarray | None

    @polars_io("inventory")
    def inventory_kpis(
        self,
        inventory: pd.DataFrame,
        *,
        unit_cost: float | Mapping[object, float] | pd.Series | None = None,
        recent: int = 28,
    ) -> pd.DataFrame:
        """Inventory KPIs per item from an inventory history.

        Stock ``on_hand`` is the end-of-period level, aligned with the sales by
        (unique_id, ds); periods without an inventory row are ignored. Definitions:

        * ``stockout_rate``: share of periods ending with on_hand ≤ 0;
        * ``fill_rate``: Σ sold / (Σ sold + Σ lost), a unit fill rate where the lost units
          of a stockout period are max(0, λ − sold) with λ the mean sales of in-stock
          periods (true demand is not observed during stockouts);
        * ``days_of_supply``: last on_hand / mean sales over the last ``recent`` periods
          (in periods; +∞ when nothing sold recently and stock is left);
        * ``turnover``: Σ sold / mean on_hand over the history (units; multiply by
          365 / periods for an annual rate on daily data);
        * ``sell_through``: Σ sold / (Σ sold + last on_hand);
        * ``gmroi``: Σ (price − unit_cost) · sold / (mean on_hand · unit_cost), when prices
          (``price_col``) and costs are known.

        Args:
            inventory: ``unique_id, ds, on_hand`` (optionally ``unit_cost``).
            unit_cost: per-unit cost (a number or mapping unique_id -> cost); default
                the inventory's ``unit_cost`` column when present.
            recent: periods of the days-of-supply rate.

        Returns:
            DataFrame ``unique_id, periods, units, stockout_rate, lost_units, fill_rate,
            avg_on_hand, last_on_hand, days_of_supply, turnover, sell_through[, gmroi]``.

        Raises:
            MissingColumnError, DuplicateRowError, ColumnTypeError: invalid inventory.
            InvalidParameterError: bad ``recent`` or ``unit_cost``.
        """
        return _inventory_kpis.inventory_kpis(
            self._panel, self._price, inventory, unit_cost, recent
        )

    @polars_io("inventory")
    def phantom_stock(
        self, inventory: pd.DataFrame, *, alpha: float = 0.01, min_run: int = 7
    ) -> pd.DataFrame:
        """Items whose stock is probably not really there (phantom inventory).

        An item is flagged when it has a run of L periods without a sale while on hand > 0
        that is improbable given its usual selling rate: with q the share of its in-stock
        periods with a sale outside that run, the chance of L quiet periods in a row is
        (1 − q)^L (independent periods), and the item is flagged when that is below
        ``alpha`` and L ≥ ``min_run``. Using selling-day frequency rather than units keeps
        the test meaningful for intermittent items.

        With an inventory history (``unique_id, ds, on_hand``), the longest such run is
        tested (in stock = on_hand > 0 at the end of the period). With a snapshot
        (``unique_id, on_hand``, no ``ds``), stock is only known now, so the test covers
        the trailing run of zero-sale periods up to the end of the sales history and needs
        on_hand > 0.

        Args:
            inventory: an inventory history or snapshot.
            alpha: the probability below which a run is flagged.
            min_run: the shortest run that can be flagged.

        Returns:
            DataFrame ``unique_id, on_hand, run_start, run_end, run_length, sell_rate,
            probability, phantom``.

        Raises:
            InvalidParameterError: alpha not in (0, 1) or min_run < 1.
            MissingColumnError, DuplicateRowError: invalid inventory.
        """
        return _inventory_kpis.phantom_stock(self._panel, inventory, alpha, min_run)

    @staticmethod
    @polars_io("book", "counted")
    def shrinkage(
        book: pd.DataFrame,
        counted: pd.DataFrame,
        *,
        unit_cost: float | Mapping[object, float] | pd.Series | None = None,
        threshold: float = 3.5,
    ) -> pd.DataFrame:
        """Shrinkage (unexplained loss) from book versus counted inventory.

        shrink_units = book − counted (positive: units missing); shrink_rate =
        shrink_units / book (+∞ when the book says 0 but units are missing);
        shrink_value = shrink_units × unit_cost. Rows are flagged when the robust z-score of
        their shrink rate across all rows exceeds ``threshold`` (or the rate is infinite).

        Args:
            book: ``unique_id[, ds]`` and ``book`` (or ``on_hand``): system stock.
            counted: ``unique_id[, ds]`` and ``counted`` (or ``on_hand``): physical count.
                Rows are matched on unique_id (and ds when both frames have it); items
                counted without a book row, or booked without a count, are left out.
            unit_cost: per-unit cost (number or mapping), default the book's
                ``unit_cost`` column when present.
            threshold: robust z cut-off for ``flag``.

        Returns:
            DataFrame ``unique_id[, ds], book, counted, shrink_units, shrink_rate[,
            unit_cost, shrink_value], z, flag`` sorted by the keys.

        Raises:
            InvalidInputError: no quantity column, or a missing quantity.
            DuplicateRowError: the same key twice in a frame.
        """
        return _inventory_kpis.shrinkage(book, counted, unit_cost, threshold)

    @staticmethod
    @polars_io("purchase_orders")
    def lead_time_stats(
        purchase_orders: pd.DataFrame,
        *,
        by: Sequence[str] | None = None,
        order_col: str = "order_date",
        receipt_col: str = "receipt_date",
        quantiles: Sequence[float] = (0.5, 0.9, 0.95),
    ) -> pd.DataFrame:
        """Empirical supplier lead times from order and receipt dates.

        Lead time = receipt − order date, in days. Orders without a receipt (NaT) are open
        and counted apart. ``lead_time`` (mean) and ``lead_time_sd`` (sample sd, ddof=1;
        NaN with a single order) can be passed to :class:`shelfcast.ReorderPlanner`'s
        inventory columns of the same names.

        Args:
            purchase_orders: one row per order with ``order_col``, ``receipt_col`` and the
                ``by`` columns.
            by: grouping columns; default ``supplier`` and/or ``unique_id`` (whichever
                exist).
            order_col: order date column (datetime64).
            receipt_col: receipt date column (datetime64, NaT for open orders).
            quantiles: empirical quantiles to report (linear interpolation).

        Returns:
            DataFrame ``<by>..., n_orders, n_open, lead_time, lead_time_sd, min, p50, p90,
            p95, max`` (one ``p<q>`` column per quantile).

        Raises:
            InvalidInputError: a receipt precedes its order, or no grouping column.
            InvalidParameterError: a quantile outside [0, 1] or a non-date receipt column.
        """
        return _inventory_kpis.lead_time_stats(
            purchase_orders, by, order_col, receipt_col, quantiles
        )

    @staticmethod
    @polars_io("transactions")
    def returns_analysis(
        transactions: pd.DataFrame,
        *,
        item_col: str = "StockCode",
        customer_col: str | None = "Customer ID",
        quantity_col: str = "Quantity",
        price_col: str | None = "Price",
        invoice_col: str | None = "Invoice",
        cancel_prefix: str = "C",
        threshold: float = 3.5,
        min_units: float = 10,
    ) -> ReturnsAnalysis:
        """Return rates per item and per customer from transactions with cancellations.

        Positive lines are sales. Negative lines on cancellation invoices (invoice number
        starting with ``cancel_prefix``, as in the UCI Online Retail data) are returns;
        other negative lines are stock adjustments (in the UCI data: write-offs such as
        "damaged", "lost" or "wet", priced 0 and without a customer), reported apart as
        ``adjusted_units`` because they are a loss-prevention signal of their own. Per item
        and per customer: sold and returned units and values (|price| × quantity), line
        counts and return_rate = returned / sold units. Outliers: items (customers) with at least
        ``min_units`` sold whose return rate has a robust z-score (median / MAD across the
        eligible rows) above ``threshold``; ``unmatched_returns`` marks returns of goods
        not sold in the period (their rate is +∞).

        Args:
            transactions: one row per invoice line.
            item_col: item column (StockCode).
            customer_col: customer column (``None``: no customer table); lines without a
                customer are left out of that table.
            quantity_col: signed quantity column.
            price_col: unit price column (``None``: values count units).
            invoice_col: invoice number column; ``None`` treats every negative line as a
                return.
            cancel_prefix: how cancellation invoice numbers start.
            threshold: robust z cut-off for ``outlier``.
            min_units: the fewest units sold for a rate to be scored.

        Returns:
            ReturnsAnalysis(items, customers), each a DataFrame with ``sold_units,
            returned_units, sold_value, returned_value, sale_lines, return_lines,
            adjusted_units, return_rate, z, outlier, unmatched_returns`` keyed by
            ``unique_id`` /
            ``customer_id``.

        Raises:
            MissingColumnError, ColumnTypeError: absent or non-numeric columns.
            InvalidParameterError: a NaN quantity or a non-finite threshold.
        """
        return _returns.returns_analysis(
            transactions,
            item_col=item_col,
            customer_col=customer_col,
            quantity_col=quantity_col,
            price_col=price_col,
            invoice_col=invoice_col,
            cancel_prefix=cancel_prefix,
            threshold=threshold,
            min_units=min_units,
        )
