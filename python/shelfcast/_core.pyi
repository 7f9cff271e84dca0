"""Type stubs for shelfcast's native module (src/py/). Kept true by `mypy.stubtest` in CI."""

from typing import final

import numpy as np
import numpy.typing as npt

__all__ = [
    "DemandForecaster",
    "GlobalForecaster",
    "ReorderPlanner",
    "SalesMetrics",
    "__version__",
    "fallback_reasons",
    "is_ml_model",
    "num_threads",
]

__version__: str

def num_threads() -> int: ...
def fallback_reasons() -> list[tuple[int, str]]: ...
def is_ml_model(name: str) -> bool: ...

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
