"""Type stubs for shelfcast's native module (src/py/). Kept true by `mypy.stubtest` in CI."""

from typing import final

import numpy as np
import numpy.typing as npt

__all__ = [
    "DemandForecaster",
    "ReorderPlanner",
    "SalesMetrics",
    "__version__",
    "fallback_reasons",
    "inventory_eoq_all_units",
    "inventory_formula",
    "inventory_wagner_whitin",
    "num_threads",
    "simulate",
]

__version__: str

def num_threads() -> int: ...
def fallback_reasons() -> list[tuple[int, str]]: ...
def inventory_formula(
    name: str, args: list[npt.NDArray[np.float64]]
) -> list[npt.NDArray[np.float64]]: ...
def inventory_eoq_all_units(
    fixed_cost: npt.NDArray[np.float64],
    holding_cost_rate: npt.NDArray[np.float64],
    demand_rate: npt.NDArray[np.float64],
    breakpoints: npt.NDArray[np.float64],
    unit_costs: npt.NDArray[np.float64],
) -> list[npt.NDArray[np.float64]]: ...
def simulate(
    policy: str,
    lost_sales: bool,
    seed: int,
    trace: bool,
    demand: npt.NDArray[np.float64],
    item_seed: npt.NDArray[np.uint64],
    on_hand: npt.NDArray[np.float64],
    on_order: npt.NDArray[np.float64],
    lead_time: npt.NDArray[np.float64],
    lead_time_sd: npt.NDArray[np.float64],
    reorder_point: npt.NDArray[np.float64],
    order_quantity: npt.NDArray[np.float64],
    order_up_to: npt.NDArray[np.float64],
    review_period: npt.NDArray[np.float64],
    holding_cost: npt.NDArray[np.float64],
    order_cost: npt.NDArray[np.float64],
    stockout_cost: npt.NDArray[np.float64],
    moq: npt.NDArray[np.float64],
    pack_size: npt.NDArray[np.float64],
    max_qty: npt.NDArray[np.float64],
) -> dict[str, npt.NDArray[np.float64]]: ...
def inventory_wagner_whitin(
    demand: npt.NDArray[np.float64],
    fixed_cost: npt.NDArray[np.float64],
    holding_cost: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...

@final
class DemandForecaster:
    def __new__(
        cls, models: list[tuple[str, dict[str, float], dict[str, str]]]
    ) -> DemandForecaster: ...
    def fit(self, y: npt.NDArray[np.float64], offsets: npt.NDArray[np.int64]) -> None: ...
    def predict(self, h: int) -> npt.NDArray[np.float64]: ...
    def sigmas(self) -> npt.NDArray[np.float64]: ...
    def rolling_errors(
        self,
        y: npt.NDArray[np.float64],
        offsets: npt.NDArray[np.int64],
        h: int,
        n_windows: int,
        step: int,
    ) -> npt.NDArray[np.float64]: ...
    def fallbacks(self) -> npt.NDArray[np.float64]: ...
    @property
    def progress(self) -> int: ...
    @property
    def is_fitted(self) -> bool: ...
    @property
    def model_names(self) -> list[str]: ...
    def to_bytes(self) -> bytes: ...
    @classmethod
    def from_bytes(cls, data: bytes) -> DemandForecaster: ...

@final
class ReorderPlanner:
    def __new__(
        cls,
        *,
        service_level: float,
        service_type: str = "cycle",
        policy: str = "sQ",
        review_period: int = 1,
        distribution: str = "normal",
        discrete_below: float = 20.0,
    ) -> ReorderPlanner: ...
    def plan(
        self,
        demand: npt.NDArray[np.float64],
        sigma: npt.NDArray[np.float64],
        on_hand: npt.NDArray[np.float64],
        on_order: npt.NDArray[np.float64],
        lead_time: npt.NDArray[np.float64],
        lead_time_sd: npt.NDArray[np.float64],
        holding_cost: npt.NDArray[np.float64],
        order_cost: npt.NDArray[np.float64],
        moq: npt.NDArray[np.float64],
        pack_size: npt.NDArray[np.float64],
        max_qty: npt.NDArray[np.float64],
        paths: npt.NDArray[np.float64] | None = None,
        service_levels: npt.NDArray[np.float64] | None = None,
        horizon: int | None = None,
    ) -> dict[str, npt.NDArray[np.float64]]: ...
    @property
    def service_level(self) -> float: ...
    @property
    def service_type(self) -> str: ...
    @property
    def policy(self) -> str: ...
    @property
    def review_period(self) -> int: ...
    @property
    def distribution(self) -> str: ...
    @property
    def discrete_below(self) -> float: ...

@final
class SalesMetrics:
    @classmethod
    def summary(
        cls, y: npt.NDArray[np.float64], offsets: npt.NDArray[np.int64]
    ) -> dict[str, npt.NDArray[np.float64]]: ...
    @classmethod
    def evaluate(
        cls,
        y: npt.NDArray[np.float64],
        offsets: npt.NDArray[np.int64],
        forecast: npt.NDArray[np.float64],
        metrics: list[str],
        train_y: npt.NDArray[np.float64] | None = None,
        train_offsets: npt.NDArray[np.int64] | None = None,
        seasonality: int = 1,
    ) -> dict[str, npt.NDArray[np.float64]]: ...
