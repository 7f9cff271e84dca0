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
    "num_threads",
]

__version__: str

def num_threads() -> int: ...
def fallback_reasons() -> list[tuple[int, str]]: ...

@final
class DemandForecaster:
    def __new__(
        cls, models: list[tuple[str, dict[str, float], dict[str, str]]]
    ) -> DemandForecaster: ...
    def fit(self, y: npt.NDArray[np.float64], offsets: npt.NDArray[np.int64]) -> None: ...
    def predict(self, h: int) -> npt.NDArray[np.float64]: ...
    def sigmas(self) -> npt.NDArray[np.float64]: ...
    def fallbacks(self) -> npt.NDArray[np.float64]: ...
    def ets_components(self, model_index: int) -> list[str]: ...
    def ets_params(self, model_index: int) -> npt.NDArray[np.float64]: ...
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
