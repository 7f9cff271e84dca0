"""Type stubs for shelfcast's native module (src/py/). Kept true by `mypy.stubtest` in CI."""

from typing import final

import numpy as np
import numpy.typing as npt

__all__ = [
    "Accuracy",
    "DemandForecaster",
    "Elasticity",
    "InventoryAnalytics",
    "ReorderPlanner",
    "SalesAnalytics",
    "SalesMetrics",
    "__version__",
    "num_threads",
]

__version__: str

def num_threads() -> int: ...

@final
class DemandForecaster:
    def __new__(cls, models: list[tuple[str, int | None]]) -> DemandForecaster: ...
    def fit(self, y: npt.NDArray[np.float64], offsets: npt.NDArray[np.int64]) -> None: ...
    def predict(self, h: int) -> npt.NDArray[np.float64]: ...
    def sigmas(self) -> npt.NDArray[np.float64]: ...
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
    def __new__(cls, *, service_level: float) -> ReorderPlanner: ...
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
    ) -> dict[str, npt.NDArray[np.float64]]: ...
    @property
    def service_level(self) -> float: ...

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
