"""The saved-model format of :class:`shelfcast.DemandForecaster` (format version 1).

A numpy ``.npz`` archive read with ``allow_pickle=False`` (loading executes no code):

=============  ==========================================================================
array          content
=============  ==========================================================================
``header``     uint8, UTF-8 JSON: ``format`` ("shelfcast.DemandForecaster"),
               ``format_version``, ``shelfcast_version``, ``freq``, ``season_length``,
               ``conformal_windows``, ``path_windows``, ``id_kind`` ("str" or "int") and
               ``models`` (each ``{"class", "params", "alias"}``)
``ids``        the series ids (unicode or int64)
``last_ds``    int64 nanoseconds since the epoch: each series' last training date
``y``          float64 training values, series back to back
``offsets``    int64 series bounds in ``y``
``state``      uint8, the native fitted state (its own magic bytes and version)
=============  ==========================================================================
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import __name__ as _pkg
from . import _core
from .exceptions import ModelFormatError, ShelfcastError
from .models import _BY_NAME

if TYPE_CHECKING:
    from .forecaster import DemandForecaster

FORMAT = "shelfcast.DemandForecaster"
FORMAT_VERSION = 1
_ARRAYS = ("header", "ids", "last_ds", "y", "offsets", "state")


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
        "path_windows": fc.path_windows,
        "id_kind": id_kind,
        "models": [
            {"class": type(m).__name__, "params": m._params(), "alias": m.alias} for m in fc.models
        ],
    }
    with open(path, "wb") as fh:
        np.savez_compressed(
            fh,
            header=np.frombuffer(json.dumps(header).encode(), dtype=np.uint8),
            ids=ids.astype(np.int64) if id_kind == "int" else ids.astype(str),
            last_ds=np.asarray(fc._last_ds, dtype="datetime64[ns]").view(np.int64),
            y=fc._y,
            offsets=fc._offsets,
            state=np.frombuffer(fc._core.to_bytes(), dtype=np.uint8),
        )


def _read(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    try:
        with np.load(path, allow_pickle=False) as z:
            missing = [k for k in _ARRAYS if k not in z.files]
            if missing:
                raise ModelFormatError(f"{path}: not a shelfcast model (missing {missing})")
            return {k: z[k] for k in _ARRAYS}
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
        models = []
        for spec in header["models"]:
            model_cls = _BY_NAME[spec["class"]]
            models.append(model_cls(**spec["params"], alias=spec["alias"]))
        fc = cls(
            models,
            freq=header["freq"],
            season_length=header["season_length"],
            conformal_windows=header["conformal_windows"],
            path_windows=header["path_windows"],
        )
    except (KeyError, TypeError, ShelfcastError) as e:
        raise ModelFormatError(f"{path}: invalid model description ({e!r})") from None
    core = _core.DemandForecaster.from_bytes(arrays["state"].tobytes())
    ids = arrays["ids"]
    offsets = arrays["offsets"].astype(np.int64)
    n = len(ids)
    if (
        core.model_names != [m.name for m in fc.models]
        or core.fallbacks().shape[0] != n
        or len(offsets) != n + 1
        or len(arrays["last_ds"]) != n
        or offsets[-1] != len(arrays["y"])
    ):
        raise ModelFormatError(f"{path}: the saved arrays are inconsistent")
    fc._core = core
    fc._ids = ids.astype(object) if header["id_kind"] == "str" else ids
    fc._last_ds = arrays["last_ds"].view("datetime64[ns]")
    fc._y = arrays["y"].astype(np.float64)
    fc._offsets = offsets
    return fc
