"""The saved-model format of :class:`shelfcast.DemandForecaster` (format version 2; version 1
files, which have no global models, still load).

A numpy ``.npz`` archive read with ``allow_pickle=False`` (loading executes no code):

=============  ==========================================================================
array          content
=============  ==========================================================================
``header``     uint8, UTF-8 JSON: ``format`` ("shelfcast.DemandForecaster"),
               ``format_version``, ``shelfcast_version``, ``freq``, ``season_length``,
               ``conformal_windows``, ``path_windows``, ``id_kind`` ("str" or "int") and
               ``models`` (each ``{"class", "params", "alias"}``), ``features`` (the native
               feature configuration of the global models) and ``static_features``
``ids``        the series ids (unicode or int64)
``last_ds``    int64 nanoseconds since the epoch: each series' last training date
``y``          float64 training values, series back to back
``offsets``    int64 series bounds in ``y``
``state``      uint8, the native state of the statistical models (its own magic bytes and
               version; empty without statistical models)
``ml_state``   uint8, the native state of the global models (empty without them)
``days``       int64 day numbers of the training rows (when a model uses exogenous data)
``dynamic``    float64 (rows, n_dynamic) training exogenous values / regressors (idem)
``statics``    float64 (series, n_static) static features (idem)
=============  ==========================================================================
"""

from __future__ import annotations

import dataclasses
import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import __name__ as _pkg
from . import _core
from ._global import Exog, FeatureConfig
from .exceptions import ModelFormatError, ShelfcastError
from .models import model_from_json, model_to_json

if TYPE_CHECKING:
    from .forecaster import DemandForecaster

FORMAT = "shelfcast.DemandForecaster"
FORMAT_VERSION = 2
_ARRAYS = ("header", "ids", "last_ds", "y", "offsets", "state")
_ML_ARRAYS = ("ml_state", "days", "dynamic", "statics")


def save(fc: DemandForecaster, path: Path) -> None:
    """Write ``fc`` (fitted) to ``path``; see the module docs for the layout."""
    ids = np.asarray(fc._ids)
    id_kind = "int" if np.issubdtype(ids.dtype, np.integer) else "str"
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "shelfcast_version": _core.__version__,
        "freq": fc._offset.freqstr,
        "season_length": fc.season_length,
        "conformal_windows": fc.conformal_windows,
        "conformal": fc.conformal,
        "path_windows": fc.path_windows,
        "id_kind": id_kind,
        "models": [model_to_json(m) for m in fc.models],
        "features": dataclasses.asdict(fc._features),
        "static_features": list(fc.static_features),
    }
    exog = fc._exog
    assert fc._y is not None and fc._offsets is not None  # fitted: checked by save()
    empty = np.empty(0, dtype=np.uint8)
    with open(path, "wb") as fh:
        np.savez_compressed(
            fh,
            header=np.frombuffer(json.dumps(header).encode(), dtype=np.uint8),
            ids=ids.astype(np.int64) if id_kind == "int" else ids.astype(str),
            last_ds=np.asarray(fc._last_ds, dtype="datetime64[ns]").view(np.int64),
            y=fc._y,
            offsets=fc._offsets,
            state=empty if fc._core is None else np.frombuffer(fc._core.to_bytes(), np.uint8),
            ml_state=empty if fc._ml is None else np.frombuffer(fc._ml.to_bytes(), np.uint8),
            days=np.empty(0, np.int64) if exog is None else exog.days,
            dynamic=np.empty((0, 0)) if exog is None else exog.dynamic,
            statics=np.empty((0, 0)) if exog is None else exog.statics,
        )


def _read(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    try:
        with np.load(path, allow_pickle=False) as z:
            missing = [k for k in _ARRAYS if k not in z.files]
            if missing:
                raise ModelFormatError(f"{path}: not a shelfcast model (missing {missing})")
            return {k: z[k] for k in (*_ARRAYS, *_ML_ARRAYS) if k in z.files}
    except ShelfcastError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as e:
        raise ModelFormatError(f"{path}: not a readable shelfcast model ({e})") from None


def _header(raw: np.ndarray, path: Path) -> dict[str, Any]:
    try:
        header = json.loads(raw.tobytes().decode())
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelFormatError(f"{path}: corrupt header ({e})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelFormatError(f"{path}: not a {FORMAT} file")
    version = header.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION or version < 1:
        raise ModelFormatError(
            f"{path}: format version {version!r} is not supported by this shelfcast "
            f"({_pkg} {_core.__version__} reads 1..{FORMAT_VERSION}); upgrade shelfcast"
        )
    return header


def load(cls: type[DemandForecaster], path: Path) -> DemandForecaster:
    """Read a forecaster written by :func:`save`; see the module docs for the layout."""
    arrays = _read(path)
    header = _header(arrays["header"], path)
    try:
        models = [model_from_json(spec) for spec in header["models"]]
        fc = cls(
            models,
            freq=header["freq"],
            season_length=header["season_length"],
            conformal_windows=header["conformal_windows"],
            conformal=header.get("conformal", "per_step"),  # files before the option
            path_windows=header["path_windows"],
            lags=[1],
        )
        if "features" in header:
            feats = header["features"]
            feats["lag_transforms"] = [tuple(t) for t in feats["lag_transforms"]]
            feats["holidays"] = [(name, list(days)) for name, days in feats["holidays"]]
            feats["target_transforms"] = [tuple(t) for t in feats["target_transforms"]]
            fc._features = FeatureConfig(**feats)
            fc.static_features = list(header["static_features"])
    except (KeyError, TypeError, ValueError, ShelfcastError) as e:
        raise ModelFormatError(f"{path}: invalid model description ({e!r})") from None
    ids = arrays["ids"]
    n = len(ids)
    core = None
    stat_names = [fc.models[j].name for j in fc._stat_idx]
    if stat_names:
        core = _core.DemandForecaster.from_bytes(arrays["state"].tobytes())
        if core.model_names != stat_names or core.fallbacks().shape[0] != n:
            raise ModelFormatError(f"{path}: the saved arrays are inconsistent")
    ml = None
    if fc._uses_exog:
        if any(k not in arrays for k in _ML_ARRAYS):
            raise ModelFormatError(f"{path}: the exogenous arrays are missing")
        if fc._ml_idx:
            ml = _core.GlobalForecaster.from_bytes(arrays["ml_state"].tobytes())
        fc._exog = Exog(
            days=arrays["days"].astype(np.int64),
            dynamic=arrays["dynamic"].astype(np.float64),
            statics=arrays["statics"].astype(np.float64),
        )
        if len(fc._exog.days) != len(arrays["y"]) or fc._exog.statics.shape[0] != n:
            raise ModelFormatError(f"{path}: the saved arrays are inconsistent")
    offsets = arrays["offsets"].astype(np.int64)
    if len(offsets) != n + 1 or len(arrays["last_ds"]) != n or offsets[-1] != len(arrays["y"]):
        raise ModelFormatError(f"{path}: the saved arrays are inconsistent")
    fc._core = core
    fc._ml = ml
    fc._ids = ids.astype(object) if header["id_kind"] == "str" else ids
    fc._last_ds = arrays["last_ds"].view("datetime64[ns]")
    fc._y = arrays["y"].astype(np.float64)
    fc._offsets = offsets
    return fc
