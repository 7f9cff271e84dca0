"""shelfcast's exception hierarchy, defined once.

Every exception shelfcast raises on purpose derives from :class:`ShelfcastError`, and also
from the built-in that fits (``ValueError`` for bad values, ``TypeError`` for wrong types),
so ``except ValueError`` keeps working in code that does not know shelfcast. The native core
raises these same classes (``src/py/errors.rs`` maps each core error variant to one).
"""

from __future__ import annotations

__all__ = [
    "ColumnTypeError",
    "DuplicateRowError",
    "ExogenousWarning",
    "InvalidInputError",
    "InvalidItemError",
    "InvalidParameterError",
    "InvalidSeriesError",
    "MissingColumnError",
    "ModelFormatError",
    "NotFittedError",
    "ShapeError",
    "ShelfcastError",
    "UndefinedMetricWarning",
    "UnknownModelError",
]


class ShelfcastError(Exception):
    """Base class of every error shelfcast raises deliberately."""


class InvalidInputError(ShelfcastError, ValueError):
    """Input data has an invalid value (base of the more specific value errors)."""


class InvalidParameterError(InvalidInputError):
    """A constructor argument or method parameter is out of range."""


class UnknownModelError(InvalidInputError):
    """A model name is not one shelfcast knows."""


class MissingColumnError(InvalidInputError):
    """A required DataFrame column is absent."""


class ColumnTypeError(ShelfcastError, TypeError):
    """A DataFrame column (or argument) has the wrong type."""


class DuplicateRowError(InvalidInputError):
    """The same (unique_id, ds) appears more than once."""


class InvalidSeriesError(InvalidInputError):
    """A series holds unusable values (NaN, gaps in its calendar, no observations...).

    When raised by the native core, ``index`` is the series' position and ``detail`` the
    message without it; the Python layer re-raises naming the series by its id.
    """


class InvalidItemError(InvalidInputError):
    """An inventory row is invalid; the message names the item and the column.

    When raised by the native core, ``index`` is the item's position and ``detail`` the
    message without it; the Python layer re-raises naming the item by its id.
    """


def _rename_culprit(err: ShelfcastError, ids: object, what: str) -> ShelfcastError:
    """Return ``err`` re-worded to name the series/item by id (``ids[err.index]``)."""
    index = getattr(err, "index", None)
    detail = getattr(err, "detail", None)
    try:
        name = ids[index]  # type: ignore[index]
    except (TypeError, IndexError, KeyError):
        return err
    new = type(err)(f"{what} {name!r}: {detail}")
    new.index, new.detail = index, detail  # type: ignore[attr-defined]
    return new


class ShapeError(InvalidInputError):
    """Arrays passed to the native core do not line up."""


class NotFittedError(ShelfcastError, ValueError, AttributeError):
    """A method that needs a fitted model was called before ``fit``."""


class ModelFormatError(InvalidInputError):
    """A saved model could not be read (garbage, truncated, or from a newer shelfcast)."""


class UndefinedMetricWarning(UserWarning):
    """A score is NaN or infinite because its denominator is zero or undefined (a constant
    or too short training history for a scaled metric, all-zero actuals for MAPE/WAPE)."""


class ExogenousWarning(UserWarning):
    """The training frame has exogenous columns that some statistical models do not use
    (ETS, theta, Croston, naive...): the message names the columns, the models that use
    them and the models that ignore them (wrap those in
    :class:`~shelfcast.models.WithRegressors` to use them)."""
