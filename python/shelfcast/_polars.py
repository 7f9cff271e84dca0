"""polars support: the single adapter between polars frames and shelfcast's numpy columns.

polars is optional and never imported by shelfcast itself: a frame is recognised as polars
only when the caller has already imported polars (``sys.modules``). Input columns are read
straight into numpy (numbers with ``Series.to_numpy``, ``Date``/``Datetime`` cast to
datetime64[ns]; ``String``/``Categorical``/integer ids are grouped and ranked by polars,
so only the unique ids become Python objects); outputs are built
from the numpy result columns. ``FrameStyle`` records what the caller gave (polars or
pandas, the dtype of ``ds`` and of ``unique_id``) so results come back in the same style.

Two levels of support:

* native: :func:`shelfcast._frame.to_panel` and the column readers it uses read polars
  columns directly (no pandas frame is built), and :class:`DemandForecaster` builds its
  polars outputs from numpy;
* at the boundary: :func:`polars_io` wraps a public function whose body needs pandas
  operations; it converts each polars frame argument to pandas column by column (through
  numpy, no pyarrow) and the pandas result back to polars the same way.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

import numpy as np
import pandas as pd

from .exceptions import ColumnTypeError, InvalidInputError, MissingColumnError

__all__ = [
    "FrameStyle",
    "build",
    "is_polars",
    "polars_io",
    "style_of",
    "to_pandas",
    "to_pandas_if_polars",
    "to_polars",
]

F = TypeVar("F", bound=Callable[..., Any])

#: The type a method returning a frame is annotated with. At run time it is a
#: ``polars.DataFrame`` when the caller gave polars; the annotation stays pandas so pandas
#: users (the common case) keep precise types without importing polars.
Frame: TypeAlias = pd.DataFrame

_POLARS_NOTE = (
    "polars: a ``polars.DataFrame`` is accepted for every frame argument and the result is\n"
    "then a ``polars.DataFrame`` (``ds`` and other date columns in the input's ``ds`` dtype,\n"
    "``unique_id`` in the input's id dtype). The frames are converted at one adapter\n"
    "boundary (:mod:`shelfcast._polars`, column by column through numpy, no pyarrow)."
)


def add_note(doc: str | None, note: str = _POLARS_NOTE) -> str | None:
    """Append ``note`` to a docstring at the docstring's own indentation."""
    if not doc:
        return doc
    lines = doc.expandtabs().splitlines()[1:]
    indent = min((len(x) - len(x.lstrip()) for x in lines if x.strip()), default=0)
    pad = " " * indent
    return doc.rstrip() + "\n\n" + "\n".join(pad + x for x in note.splitlines()) + "\n" + pad


def _pl() -> Any:
    return sys.modules.get("polars")


def is_polars(obj: object) -> bool:
    """Whether ``obj`` is a ``polars.DataFrame`` (False when polars is not imported)."""
    pl = _pl()
    return pl is not None and isinstance(obj, pl.DataFrame)


def _is_lazy(obj: object) -> bool:
    pl = _pl()
    return pl is not None and isinstance(obj, pl.LazyFrame)


@dataclass(frozen=True)
class FrameStyle:
    """What kind of frames to return.

    Attributes:
        polars: return polars frames (else pandas).
        ds_dtype: polars dtype of the input's ``ds`` column (dates are returned in it), or
            None.
        id_dtype: polars dtype of the input's ``unique_id`` column, or None.
    """

    polars: bool = False
    ds_dtype: Any = None
    id_dtype: Any = None


PANDAS = FrameStyle()


def style_of(*inputs: object) -> FrameStyle:
    """The output style for these inputs: polars when any of them is a polars frame (or an
    object, like a forecaster, fitted on one); dates and ids in the dtypes they had there."""
    polars, ds_dtype, id_dtype = False, None, None
    for obj in inputs:
        if is_polars(obj):
            polars = True
            schema = obj.schema  # type: ignore[attr-defined]
            ds, uid = schema.get("ds"), schema.get("unique_id")
            if ds_dtype is None and ds is not None and ds.is_temporal():
                ds_dtype = ds
            if id_dtype is None and uid is not None and (uid.is_integer() or uid.is_float()):
                id_dtype = uid
        else:
            style = getattr(obj, "_frame_style", None)
            if isinstance(style, FrameStyle) and style.polars:
                polars = True
                ds_dtype = ds_dtype if ds_dtype is not None else style.ds_dtype
                id_dtype = id_dtype if id_dtype is not None else style.id_dtype
    return FrameStyle(polars, ds_dtype, id_dtype) if polars else PANDAS


# ---------------------------------------------------------------- polars -> numpy
def require(df: Any, columns: Sequence[str], what: str) -> None:
    """Raise MissingColumnError naming the first absent column of a polars frame."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise MissingColumnError(
            f"{what} is missing column(s) {missing}; it has {list(df.columns)}"
        )


def numeric(df: Any, col: str, what: str) -> np.ndarray:
    """A numeric polars column as float64 (nulls become NaN)."""
    s = df.get_column(col)
    if not s.dtype.is_numeric():
        raise ColumnTypeError(f"{what} column {col!r} must be numeric, got polars dtype {s.dtype}")
    out = s.cast(_pl().Float64).to_numpy()
    return np.asarray(out, dtype=np.float64)


def datetimes(df: Any, col: str, what: str) -> np.ndarray:
    """A ``Date``/``Datetime`` polars column as datetime64[ns] (local wall time)."""
    pl = _pl()
    s = df.get_column(col)
    if not (s.dtype == pl.Date or isinstance(s.dtype, pl.Datetime)):
        raise ColumnTypeError(
            f"{what} column {col!r} must be Date or Datetime, got polars dtype {s.dtype} "
            f"(convert it with .str.to_date())"
        )
    if isinstance(s.dtype, pl.Datetime) and s.dtype.time_zone is not None:
        s = s.dt.replace_time_zone(None)
    if s.null_count():
        pos = int(s.is_null().arg_true()[0])
        raise InvalidInputError(f"{what} column {col!r} has a missing date at row {pos}")
    return np.asarray(s.cast(pl.Datetime("ns")).to_numpy(), dtype="datetime64[ns]")


def id_codes(df: Any, col: str, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (int64, one per row) and the sorted unique ids of a polars id column.

    Strings are compared and ranked by polars (UTF-8 byte order, which is code point
    order, as Python sorts str); only the unique ids become Python objects.

    Raises:
        InvalidInputError: a missing id (names the row).
        ColumnTypeError: ids that are neither str nor int.
    """
    pl = _pl()
    s = df.get_column(col)
    if s.null_count():
        pos = int(s.is_null().arg_true()[0])
        raise InvalidInputError(f"{what} column {col!r} has a missing id at row {pos}")
    if isinstance(s.dtype, (pl.Categorical, pl.Enum)):
        s = s.cast(pl.String)
    if s.dtype.is_integer():
        s = s.cast(pl.Int64)
    elif not (s.dtype == pl.String or s.dtype.is_float()):
        raise ColumnTypeError(
            f"{what} column {col!r} must hold str or int ids, got polars dtype {s.dtype}"
        )
    change = (s != s.shift(1)).fill_null(True)
    starts = change.arg_true()
    runs = s.gather(starts)
    if len(runs) < 2 or (runs.slice(1) > runs.slice(0, len(runs) - 1)).all():
        # equal ids sit together in increasing order (the usual layout): no sort needed
        codes = change.cast(pl.Int64).cum_sum() - 1
        return np.asarray(codes.to_numpy(), dtype=np.int64), np.asarray(runs.to_numpy())
    uniq = s.unique().sort()
    codes = uniq.search_sorted(s)
    return np.asarray(codes.to_numpy(), dtype=np.int64), np.asarray(uniq.to_numpy())


def _column(s: Any) -> np.ndarray:
    """Any polars column as the numpy array pandas would hold."""
    pl = _pl()
    dt = s.dtype
    if isinstance(dt, (pl.Categorical, pl.Enum)):
        s = s.cast(pl.String)
    elif dt == pl.Date:
        s = s.cast(pl.Datetime("ns"))
    elif isinstance(dt, pl.Datetime):
        if dt.time_zone is not None:
            s = s.dt.replace_time_zone(None)
        s = s.cast(pl.Datetime("ns"))
    elif isinstance(dt, pl.Duration):
        s = s.cast(pl.Duration("ns"))
    return np.asarray(s.to_numpy())


def to_pandas(df: Any, what: str = "df") -> pd.DataFrame:
    """A polars frame as a new pandas frame, column by column through numpy (no pyarrow).

    Raises:
        ColumnTypeError: ``df`` is a LazyFrame (collect it first).
    """
    if _is_lazy(df):
        raise ColumnTypeError(f"{what} is a polars LazyFrame; call .collect() first")
    return pd.DataFrame({c: _column(df.get_column(c)) for c in df.columns}, copy=False)


def to_pandas_if_polars(df: Any, what: str = "df") -> Any:
    """``df`` converted by :func:`to_pandas` when it is a polars frame, else ``df`` itself."""
    return to_pandas(df, what) if is_polars(df) or _is_lazy(df) else df


# ---------------------------------------------------------------- numpy -> output
def _series(name: str, values: np.ndarray, style: FrameStyle) -> Any:
    pl = _pl()
    values = np.asarray(values)
    if values.dtype.kind == "M":
        s = pl.Series(name, values.astype("datetime64[ns]"))
        dt = style.ds_dtype
        if isinstance(dt, pl.Datetime) and dt.time_zone is not None:
            # dates are wall times (as read): attach the zone, do not convert from UTC
            return s.cast(pl.Datetime(dt.time_unit)).dt.replace_time_zone(dt.time_zone)
        return s.cast(dt) if dt is not None else s
    if values.dtype.kind == "O":
        s = pl.Series(name, values, strict=False)
        if name == "unique_id" and style.id_dtype is not None and s.dtype != style.id_dtype:
            return s.cast(style.id_dtype)
        return s
    if values.dtype.kind == "U":
        return pl.Series(name, values.astype(object))
    s = pl.Series(name, values)
    if name == "unique_id" and style.id_dtype is not None:
        return s.cast(style.id_dtype)
    return s


def build(columns: Mapping[str, np.ndarray], style: FrameStyle) -> Frame:
    """A frame of the requested style from numpy columns (no copies for pandas)."""
    if not style.polars:
        return pd.DataFrame(dict(columns), copy=False)
    out: Frame = _pl().DataFrame([_series(k, v, style) for k, v in columns.items()])
    return out


def to_polars(out: pd.DataFrame, style: FrameStyle) -> Frame:
    """A pandas result as a polars frame built from its numpy columns.

    A named or non-default index becomes leading column(s); categoricals become strings.
    """
    if not isinstance(out.index, pd.RangeIndex) or any(n is not None for n in out.index.names):
        out = out.reset_index()
    cols: dict[str, np.ndarray] = {}
    for c in out.columns:
        s = out[c]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_localize(None)
        if pd.api.types.is_extension_array_dtype(s.dtype) and s.dtype.kind in "iufb":
            s = s.astype(object if s.isna().any() else s.dtype.numpy_dtype)  # type: ignore[union-attr]
        cols[str(c)] = s.to_numpy()
    return build(cols, style)


def convert_result(result: Any, style: FrameStyle) -> Any:
    """Convert a pandas frame, or a NamedTuple of frames, to the style."""
    if not style.polars:
        return result
    if isinstance(result, pd.DataFrame):
        return to_polars(result, style)
    if isinstance(result, tuple) and hasattr(result, "_fields"):
        return type(result)(*(convert_result(v, style) for v in result))
    return result


def polars_io(*names: str) -> Callable[[F], F]:
    """Decorator: accept polars frames for the arguments ``names`` and return polars then.

    Polars arguments are converted to pandas at this boundary (see :func:`to_pandas`); the
    result (a DataFrame or a NamedTuple of DataFrames) is converted back with
    :func:`to_polars`. On a method, the instance's ``_frame_style`` (set from the frame the
    object was built from) also selects polars output. A note is appended to the docstring.
    """

    def wrap(fn: F) -> F:
        sig = inspect.signature(fn)

        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            if _pl() is None:  # polars not imported: nothing can be a polars frame
                return fn(*args, **kwargs)
            bound = sig.bind(*args, **kwargs)
            frames = [bound.arguments.get(n) for n in names]
            style = style_of(*frames)
            if not style.polars and "self" in bound.arguments:
                style = getattr(bound.arguments["self"], "_frame_style", PANDAS)
            for n in names:
                value = bound.arguments.get(n)
                if is_polars(value) or _is_lazy(value):
                    bound.arguments[n] = to_pandas(value, n)
            return convert_result(fn(*bound.args, **bound.kwargs), style)

        inner.__doc__ = add_note(inner.__doc__)
        return inner  # type: ignore[return-value]

    return wrap
