"""The exception hierarchy, and errors from the native core arriving as those classes."""

from __future__ import annotations

import inspect
import pickle

import numpy as np
import pytest
import shelfcast
from shelfcast import _core, exceptions
from shelfcast.exceptions import (
    ColumnTypeError,
    InvalidParameterError,
    InvalidSeriesError,
    ModelFormatError,
    NotFittedError,
    ShapeError,
    ShelfcastError,
    UnknownModelError,
)

CLASSES = {
    name: obj
    for name, obj in vars(exceptions).items()
    if inspect.isclass(obj) and issubclass(obj, Exception) and not issubclass(obj, Warning)
}
WARNINGS = {
    name: obj
    for name, obj in vars(exceptions).items()
    if inspect.isclass(obj) and issubclass(obj, Warning)
}
VALUE_ERRORS = [
    "InvalidInputError",
    "InvalidParameterError",
    "UnknownModelError",
    "MissingColumnError",
    "DuplicateRowError",
    "InvalidSeriesError",
    "InvalidItemError",
    "ShapeError",
    "NotFittedError",
    "ModelFormatError",
]


def test_all_lists_every_class():
    assert set(exceptions.__all__) == set(CLASSES) | set(WARNINGS)
    assert len(CLASSES) == 12
    assert set(WARNINGS) == {"UndefinedMetricWarning", "ExogenousWarning"}
    assert issubclass(WARNINGS["ExogenousWarning"], UserWarning)
    assert issubclass(WARNINGS["UndefinedMetricWarning"], UserWarning)


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_every_class_is_a_shelfcast_error(name):
    cls = CLASSES[name]
    assert issubclass(cls, ShelfcastError)
    assert issubclass(cls, Exception)
    assert cls.__module__ == "shelfcast.exceptions"


@pytest.mark.parametrize("name", VALUE_ERRORS)
def test_value_errors(name):
    assert issubclass(CLASSES[name], ValueError)
    assert not issubclass(CLASSES[name], TypeError)


def test_column_type_error_is_a_type_error():
    assert issubclass(ColumnTypeError, TypeError)
    assert not issubclass(ColumnTypeError, ValueError)


def test_every_class_is_covered():
    assert set(VALUE_ERRORS) | {"ColumnTypeError", "ShelfcastError"} == set(CLASSES)


def test_shelfcast_error_is_exported():
    assert shelfcast.ShelfcastError is ShelfcastError


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_exceptions_pickle(name):
    err = CLASSES[name]("message 1")
    clone = pickle.loads(pickle.dumps(err))
    assert type(clone) is type(err) and str(clone) == "message 1"


# ------------------------------------------------------------- from the native core
def _fitted_core() -> _core.DemandForecaster:
    core = _core.DemandForecaster(
        [("SeasonalNaive", {"season_length": 3}, {}), ("CrostonClassic", {}, {})]
    )
    core.fit(
        np.array([1.0, 0.0, 3.0, 0.0, 0.0, 2.0, 5.0, 1.0]),
        np.array([0, 3, 8], dtype=np.int64),
    )
    return core


def test_unknown_model_from_core():
    with pytest.raises(UnknownModelError, match="Nope") as info:
        _core.DemandForecaster([("Nope", {}, {})])
    assert type(info.value) is UnknownModelError
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "models",
    [
        [],
        [("SeasonalNaive", {"season_length": 0}, {})],
        [("SeasonalNaive", {}, {})],
        [("SeasonalNaive", {"season_length": -3}, {})],
    ],
)
def test_invalid_parameters_from_core(models):
    with pytest.raises(InvalidParameterError):
        _core.DemandForecaster(models)


def test_not_fitted_from_core():
    core = _core.DemandForecaster([("Naive", {}, {})])
    for call in (lambda: core.predict(2), core.sigmas, core.fallbacks, core.to_bytes):
        with pytest.raises(NotFittedError):
            call()


@pytest.mark.parametrize("blob", [b"", b"garbage", b"SHELFCST", b"\x00" * 64])
def test_garbage_bytes_from_core(blob):
    with pytest.raises(ModelFormatError) as info:
        _core.DemandForecaster.from_bytes(blob)
    assert type(info.value) is ModelFormatError
    assert isinstance(info.value, ValueError)


def test_every_truncation_is_a_model_format_error():
    blob = _fitted_core().to_bytes()
    assert _core.DemandForecaster.from_bytes(blob).predict(2).shape == (4, 2)
    for cut in range(len(blob)):
        with pytest.raises(ModelFormatError):
            _core.DemandForecaster.from_bytes(blob[:cut])


def test_trailing_bytes_and_newer_version():
    blob = _fitted_core().to_bytes()
    with pytest.raises(ModelFormatError, match="trailing"):
        _core.DemandForecaster.from_bytes(blob + b"\x00")
    version = int.from_bytes(blob[8:12], "little")
    newer = blob[:8] + (version + 1).to_bytes(4, "little") + blob[12:]
    with pytest.raises(ModelFormatError, match="upgrade"):
        _core.DemandForecaster.from_bytes(newer)


def test_random_corruption_never_panics():
    blob = bytearray(_fitted_core().to_bytes())
    rng = np.random.default_rng(0)
    for _ in range(2000):
        bad = bytearray(blob)
        for pos in rng.integers(0, len(bad), size=rng.integers(1, 4)):
            bad[pos] = int(rng.integers(0, 256))
        try:
            core = _core.DemandForecaster.from_bytes(bytes(bad))
            core.predict(3)
            core.sigmas()
            core.fallbacks()
        except ShelfcastError:
            pass
        # Anything else (PanicException is a BaseException) propagates and fails the test.


def test_core_fit_errors():
    core = _core.DemandForecaster([("Naive", {}, {})])
    with pytest.raises(ShapeError):
        core.fit(np.ones(4), np.array([0, 3, 2, 4], dtype=np.int64))
    with pytest.raises(ShapeError):
        core.fit(np.ones(4), np.array([0, -1, 4], dtype=np.int64))
    with pytest.raises(ShapeError):
        core.fit(np.ones(4), np.array([], dtype=np.int64))
    with pytest.raises(InvalidSeriesError):
        core.fit(np.array([1.0, np.nan]), np.array([0, 2], dtype=np.int64))
    with pytest.raises(InvalidSeriesError):
        core.fit(np.ones(1), np.array([0, 0, 1], dtype=np.int64))
    fitted = _fitted_core()
    for h in (0, -1):
        with pytest.raises(InvalidParameterError):
            fitted.predict(h)


def test_core_planner_and_metrics_errors():
    with pytest.raises(InvalidParameterError):
        _core.ReorderPlanner(service_level=1.0)
    with pytest.raises(InvalidParameterError):
        _core.ReorderPlanner(service_level=float("nan"))
    y, off = np.ones(3), np.array([0, 3], dtype=np.int64)
    with pytest.raises(InvalidParameterError, match="nonsense"):
        _core.SalesMetrics.evaluate(y, off, y, ["nonsense"])
    with pytest.raises(ShapeError):
        _core.SalesMetrics.evaluate(y, off, np.ones(2), ["mae"])
    with pytest.raises(InvalidParameterError):
        _core.SalesMetrics.evaluate(y, off, y, ["mase"])
    with pytest.raises(InvalidParameterError):
        _core.SalesMetrics.evaluate(y, off, y, ["mae"], seasonality=0)
    with pytest.raises(ShapeError):
        _core.SalesMetrics.summary(y, np.array([0, 4], dtype=np.int64))


def test_core_pickle_round_trip():
    core = _fitted_core()
    clone = pickle.loads(pickle.dumps(core))
    np.testing.assert_array_equal(clone.predict(5), core.predict(5))
    unfitted = pickle.loads(
        pickle.dumps(_core.DemandForecaster([("SeasonalNaive", {"season_length": 4}, {})]))
    )
    assert not unfitted.is_fitted
    assert unfitted.model_names == ["SeasonalNaive"]
    planner = pickle.loads(pickle.dumps(_core.ReorderPlanner(service_level=0.8)))
    assert planner.service_level == 0.8
