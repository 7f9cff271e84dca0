"""Type stubs for shelfcast's native module (src/py/). Kept true by `mypy.stubtest` in CI."""

from typing import final

import numpy as np
import numpy.typing as npt

__all__ = [
    "Accuracy",
    "DemandForecaster",
    "Elasticity",
    "GlobalForecaster",
    "InventoryAnalytics",
    "ReorderPlanner",
    "SalesAnalytics",
    "SalesMetrics",
    "__version__",
    "fallback_reasons",
    "inventory_eoq_all_units",
    "inventory_formula",
    "inventory_wagner_whitin",
    "is_ml_model",
    "nested_model",
    "num_threads",
    "simulate",
]

__version__: str

def num_threads() -> int: ...
def fallback_reasons() -> list[tuple[int, str]]: ...
def nested_model(name: str, num: dict[str, float], text: dict[str, str]) -> str: ...
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
def is_ml_model(name: str) -> bool: ...

@final
class DemandForecaster:
    def __new__(
        cls, models: list[tuple[str, dict[str, float], dict[str, str]]]
    ) -> DemandForecaster: ...
    def fit(
        self,
        y: npt.NDArray[np.float64],
        offsets: npt.NDArray[np.int64],
        x: npt.NDArray[np.float64] | None = None,
    ) -> None: ...
    def predict(
        self, h: int, x_future: npt.NDArray[np.float64] | None = None
    ) -> npt.NDArray[np.float64]: ...
    def sigmas(self) -> npt.NDArray[np.float64]: ...
    def rolling_errors(
        self,
        y: npt.NDArray[np.float64],
        offsets: npt.NDArray[np.int64],
        h: int,
        n_windows: int,
        step: int,
        models: list[int] | None = None,
        x: npt.NDArray[np.float64] | None = None,
    ) -> npt.NDArray[np.float64]: ...
    def fitted_values(
        self,
        y: npt.NDArray[np.float64],
        offsets: npt.NDArray[np.int64],
        x: npt.NDArray[np.float64] | None = None,
    ) -> npt.NDArray[np.float64]: ...
    def updated(
        self,
        y: npt.NDArray[np.float64],
        offsets: npt.NDArray[np.int64],
        x: npt.NDArray[np.float64] | None = None,
        series: list[bool] | None = None,
    ) -> DemandForecaster: ...
    def uses_exog(self) -> list[bool]: ...
    @property
    def n_exog(self) -> int: ...
    def has_distribution(self) -> list[bool]: ...
    def model_quantiles(
        self,
        model_index: int,
        h: int,
        probs: list[float],
        seed: int,
        x_future: npt.NDArray[np.float64] | None = None,
    ) -> npt.NDArray[np.float64]: ...
    def model_paths(
        self,
        model_index: int,
        h: int,
        n_paths: int,
        seed: int,
        x_future: npt.NDArray[np.float64] | None = None,
    ) -> npt.NDArray[np.float64]: ...
    def fallbacks(self) -> npt.NDArray[np.float64]: ...
    def ets_components(self, model_index: int) -> list[str]: ...
    def ets_params(self, model_index: int) -> npt.NDArray[np.float64]: ...
    def arima_models(
        self, model_index: int
    ) -> tuple[npt.NDArray[np.float64], list[dict[str, float] | None]]: ...
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
        cls,
        y: npt.NDArray[np.float64],
        offsets: npt.NDArray[np.int64],
        price: npt.NDArray[np.float64] | None = None,
        season_length: int = 1,
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

_F64 = npt.NDArray[np.float64]
_I64 = npt.NDArray[np.int64]
_ModelArgs = tuple[str, _F64 | None, list[tuple[float, _F64]], list[tuple[float, _F64, _F64]]]

@final
class Accuracy:
    @classmethod
    def evaluate(
        cls,
        y: _F64,
        offsets: _I64,
        models: list[_ModelArgs],
        metrics: list[str],
        train_y: _F64 | None = None,
        train_starts: _I64 | None = None,
        train_ends: _I64 | None = None,
        seasonality: int = 1,
    ) -> npt.NDArray[np.float64]: ...
    @classmethod
    def train_windows(
        cls, times: _I64, offsets: _I64, series: _I64, cutoffs: _I64 | None = None
    ) -> tuple[_I64, _I64]: ...

@final
class SalesAnalytics:
    @classmethod
    def abc(cls, values: _F64, a: float, b: float) -> npt.NDArray[np.int8]: ...
    @classmethod
    def xyz(cls, y: _F64, offsets: _I64, x: float, z: float) -> dict[str, np.ndarray]: ...
    @classmethod
    def demand_classes(
        cls, y: _F64, offsets: _I64, adi_cut: float, cv2_cut: float, from_first_sale: bool
    ) -> dict[str, np.ndarray | list[str]]: ...
    @classmethod
    def anomalies(
        cls, y: _F64, offsets: _I64, season_length: int, window: int, method: str
    ) -> dict[str, _F64]: ...

@final
class Elasticity:
    @classmethod
    def fit(
        cls,
        units: _F64,
        price: _F64,
        controls: npt.NDArray[np.float64],
        categorical: list[tuple[_I64, int]],
        offsets: _I64,
        groups: _I64 | None = None,
        min_obs: int = 10,
    ) -> dict[str, np.ndarray | list[str]]: ...

@final
class InventoryAnalytics:
    @classmethod
    def kpis(
        cls,
        y: _F64,
        offsets: _I64,
        on_hand: _F64,
        price: _F64 | None,
        cost: _F64,
        recent: int = 28,
    ) -> dict[str, _F64]: ...
    @classmethod
    def phantom(
        cls, y: _F64, offsets: _I64, in_stock: npt.NDArray[np.bool_], trailing_only: bool
    ) -> dict[str, np.ndarray]: ...

@final
class GlobalForecaster:
    def __new__(
        cls,
        models: list[tuple[str, dict[str, float], dict[str, str]]],
        lags: list[int],
        lag_transforms: list[tuple[str, int, int, int | None, float]],
        date_features: list[str],
        holidays: list[tuple[str, list[int]]],
        static_names: list[str],
        dynamic_names: list[str],
        target_transforms: list[tuple[str, int]],
        dropna: bool,
    ) -> GlobalForecaster: ...
    def feature_matrix(
        self,
        y: npt.NDArray[np.float64],
        offsets: npt.NDArray[np.int64],
        days: npt.NDArray[np.int64],
        dynamic: npt.NDArray[np.float64],
        statics: npt.NDArray[np.float64],
    ) -> tuple[
        npt.NDArray[np.float64],
        npt.NDArray[np.float64],
        npt.NDArray[np.int64],
        npt.NDArray[np.int64],
    ]: ...
    def fit(
        self,
        y: npt.NDArray[np.float64],
        offsets: npt.NDArray[np.int64],
        days: npt.NDArray[np.int64],
        dynamic: npt.NDArray[np.float64],
        statics: npt.NDArray[np.float64],
    ) -> None: ...
    def predict(
        self, h: int, days: npt.NDArray[np.int64], dynamic: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.float64]: ...
    def feature_importances(self) -> npt.NDArray[np.float64]: ...
    def sigmas(
        self,
        y: npt.NDArray[np.float64],
        offsets: npt.NDArray[np.int64],
        days: npt.NDArray[np.int64],
        dynamic: npt.NDArray[np.float64],
        statics: npt.NDArray[np.float64],
    ) -> npt.NDArray[np.float64]: ...
    def fitted_values(
        self,
        y: npt.NDArray[np.float64],
        offsets: npt.NDArray[np.int64],
        days: npt.NDArray[np.int64],
        dynamic: npt.NDArray[np.float64],
        statics: npt.NDArray[np.float64],
    ) -> npt.NDArray[np.float64]: ...
    def updated(
        self, y: npt.NDArray[np.float64], offsets: npt.NDArray[np.int64]
    ) -> GlobalForecaster: ...
    def linear_coefficients(self, index: int) -> tuple[list[float], float] | None: ...
    @property
    def feature_names(self) -> list[str]: ...
    @property
    def model_names(self) -> list[str]: ...
    @property
    def progress(self) -> int: ...
    @property
    def total_work(self) -> int: ...
    @property
    def is_fitted(self) -> bool: ...
    def to_bytes(self) -> bytes: ...
    @classmethod
    def from_bytes(cls, data: bytes) -> GlobalForecaster: ...
