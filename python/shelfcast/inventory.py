"""Inventory theory, vectorised: the single-echelon models of Snyder & Shen,
*Fundamentals of Supply Chain Theory* (2nd ed.), computed natively.

Argument names and meanings follow stockpyl (which follows the book). Every numeric
argument may be a scalar or a numpy array; arrays broadcast against each other as in numpy,
and results have the broadcast shape (plain floats when every argument is a scalar).
Results are named tuples in the order documented on each function.

Conventions worth knowing:

* Costs are per unit per period (``holding_cost`` *h*, ``stockout_cost`` *p*) and per order
  (``fixed_cost`` *K*); ``demand_mean`` / ``demand_sd`` are per period.
* The newsvendor's ``lead_time`` *L* makes the protection interval ``L + 1`` periods
  (periodic review); the (r, Q) models' lead-time demand is over ``L`` periods
  (continuous review).
* Invalid values raise :class:`~shelfcast.exceptions.InvalidParameterError` naming the
  argument, the value and (for arrays) the flat index of the element.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from . import _core
from .exceptions import ColumnTypeError, InvalidParameterError

__all__ = [
    "EOQAllUnitsResult",
    "EOQBackordersResult",
    "EOQResult",
    "LossResult",
    "NewsvendorResult",
    "RQPolicy",
    "RQResult",
    "SSPolicy",
    "WagnerWhitinResult",
    "eoq",
    "eoq_all_units_discount",
    "eoq_with_backorders",
    "negative_binomial_loss",
    "newsvendor_normal",
    "newsvendor_poisson",
    "normal_loss",
    "normal_second_loss",
    "poisson_loss",
    "r_q_cost",
    "r_q_eil",
    "r_q_eoqb",
    "r_q_eoqss",
    "r_q_loss_function",
    "r_q_optimal_r_for_q",
    "s_s_power_approximation",
    "safety_stock",
    "wagner_whitin",
]

ArrayLike = npt.ArrayLike
Value = Any  # float for scalar inputs, np.ndarray otherwise


class EOQResult(NamedTuple):
    """Order quantity and cost per period of the EOQ model."""

    order_quantity: Value
    cost: Value


class EOQBackordersResult(NamedTuple):
    """Order quantity, stockout fraction and cost per period of the EOQ with backorders."""

    order_quantity: Value
    stockout_fraction: Value
    cost: Value


class EOQAllUnitsResult(NamedTuple):
    """Order quantity, discount region (index) and cost per period, purchases included."""

    order_quantity: Value
    region: Value
    cost: Value


class NewsvendorResult(NamedTuple):
    """Base-stock level and expected cost per period."""

    base_stock_level: Value
    cost: Value


class RQResult(NamedTuple):
    """Reorder point, order quantity and (approximate) expected cost per period."""

    reorder_point: Value
    order_quantity: Value
    cost: Value


class RQPolicy(NamedTuple):
    """Reorder point and order quantity of an (r, Q) policy."""

    reorder_point: Value
    order_quantity: Value


class SSPolicy(NamedTuple):
    """Reorder point *s* and order-up-to level *S* of an (s, S) policy."""

    reorder_point: Value
    order_up_to_level: Value


class WagnerWhitinResult(NamedTuple):
    """Order quantity per period (shape of ``demand``) and the optimal total cost."""

    order_quantities: Value
    cost: Value


class LossResult(NamedTuple):
    """Loss function E[(X − x)⁺] and complementary loss E[(x − X)⁺]."""

    loss: Value
    complementary_loss: Value


def _floats(name: str, value: ArrayLike | None) -> np.ndarray:
    if value is None:
        return np.asarray(np.nan)
    try:
        a = np.asarray(value)
    except (TypeError, ValueError) as e:
        raise ColumnTypeError(f"{name} must be numeric: {e}") from None
    if a.dtype.kind not in "biuf" or a.dtype.kind == "b":
        raise ColumnTypeError(f"{name} must be numeric, got dtype {a.dtype}")
    return a.astype(np.float64, copy=False)


def _call(formula: str, **kwargs: ArrayLike | None) -> list[Value]:
    arrays = [_floats(k, v) for k, v in kwargs.items()]
    try:
        shaped = np.broadcast_arrays(*arrays)
    except ValueError:
        shapes = {k: np.shape(a) for k, a in zip(kwargs, arrays, strict=True)}
        raise InvalidParameterError(f"arguments do not broadcast together: {shapes}") from None
    shape = shaped[0].shape
    flat = [np.ascontiguousarray(a).reshape(-1) for a in shaped]
    out = _core.inventory_formula(formula, flat)
    if shape == ():
        return [float(o[0]) for o in out]
    return [o.reshape(shape) for o in out]


def eoq(
    fixed_cost: ArrayLike,
    holding_cost: ArrayLike,
    demand_rate: ArrayLike,
    order_quantity: ArrayLike | None = None,
) -> EOQResult:
    """Economic order quantity (Snyder & Shen eq. 3.4–3.5).

    Args:
        fixed_cost: fixed cost per order *K* (>= 0).
        holding_cost: holding cost per unit per period *h* (> 0).
        demand_rate: demand per period *λ* (>= 0).
        order_quantity: if given, evaluate this *Q* instead of optimising.

    Returns:
        ``(order_quantity, cost)``: *Q\\* = sqrt(2Kλ/h)* and *g\\* = hQ\\**, or the given *Q*
        and *g(Q) = Kλ/Q + hQ/2*.

    Raises:
        InvalidParameterError: an argument is out of range.
    """
    return EOQResult(
        *_call(
            "eoq",
            fixed_cost=fixed_cost,
            holding_cost=holding_cost,
            demand_rate=demand_rate,
            order_quantity=order_quantity,
        )
    )


def eoq_with_backorders(
    fixed_cost: ArrayLike,
    holding_cost: ArrayLike,
    stockout_cost: ArrayLike,
    demand_rate: ArrayLike,
) -> EOQBackordersResult:
    """EOQ with planned backorders (Snyder & Shen eq. 3.27–3.29).

    Args:
        fixed_cost: fixed cost per order *K*.
        holding_cost: holding cost per unit per period *h* (> 0).
        stockout_cost: backorder cost per unit per period *p* (> 0).
        demand_rate: demand per period *λ*.

    Returns:
        ``(order_quantity, stockout_fraction, cost)`` with *x\\* = h/(h+p)*.

    Raises:
        InvalidParameterError: an argument is out of range.
    """
    return EOQBackordersResult(
        *_call(
            "eoq_with_backorders",
            fixed_cost=fixed_cost,
            holding_cost=holding_cost,
            stockout_cost=stockout_cost,
            demand_rate=demand_rate,
        )
    )


def eoq_all_units_discount(
    fixed_cost: ArrayLike,
    holding_cost_rate: ArrayLike,
    demand_rate: ArrayLike,
    breakpoints: ArrayLike,
    unit_costs: ArrayLike,
) -> EOQAllUnitsResult:
    """EOQ with all-units quantity discounts (Snyder & Shen §3.5.2).

    An order of *Q* in region *j* (``breakpoints[j] <= Q < breakpoints[j+1]``) pays
    ``unit_costs[j]`` for every unit; holding costs ``holding_cost_rate * unit_costs[j]``.

    Args:
        fixed_cost: fixed cost per order *K*.
        holding_cost_rate: holding cost per period as a fraction of the unit cost *i*.
        demand_rate: demand per period *λ*.
        breakpoints: increasing region starts, the first 0; the last axis holds the regions
            and leading axes broadcast with the other arguments.
        unit_costs: unit cost per region, same shape as ``breakpoints``.

    Returns:
        ``(order_quantity, region, cost)``; ``cost`` includes purchases *c_j λ*.

    Raises:
        InvalidParameterError: an argument is out of range.
    """
    b = np.atleast_1d(_floats("breakpoints", breakpoints))
    c = np.atleast_1d(_floats("unit_costs", unit_costs))
    if b.shape != c.shape:
        raise InvalidParameterError(
            f"breakpoints and unit_costs must have the same shape, got {b.shape} and {c.shape}"
        )
    scalars = [
        _floats(n, v)
        for n, v in (
            ("fixed_cost", fixed_cost),
            ("holding_cost_rate", holding_cost_rate),
            ("demand_rate", demand_rate),
        )
    ]
    try:
        shape = np.broadcast_shapes(*(a.shape for a in scalars), b.shape[:-1])
    except ValueError:
        raise InvalidParameterError("arguments do not broadcast together") from None
    m = b.shape[-1]
    flat = [np.ascontiguousarray(np.broadcast_to(a, shape)).reshape(-1) for a in scalars]
    rows = [np.ascontiguousarray(np.broadcast_to(a, (*shape, m))).reshape(-1, m) for a in (b, c)]
    q, j, g = _core.inventory_eoq_all_units(*flat, *rows)
    if shape == ():
        return EOQAllUnitsResult(float(q[0]), int(j[0]), float(g[0]))
    return EOQAllUnitsResult(q.reshape(shape), j.astype(np.int64).reshape(shape), g.reshape(shape))


def newsvendor_normal(
    holding_cost: ArrayLike,
    stockout_cost: ArrayLike,
    demand_mean: ArrayLike,
    demand_sd: ArrayLike,
    lead_time: ArrayLike = 0,
    base_stock_level: ArrayLike | None = None,
) -> NewsvendorResult:
    """Newsvendor / base-stock level with normal demand (Snyder & Shen eq. 4.24–4.37).

    Args:
        holding_cost: holding cost per unit per period *h* (> 0).
        stockout_cost: stockout cost per unit per period *p* (> 0).
        demand_mean: mean demand per period *μ* (>= 0).
        demand_sd: standard deviation of demand per period *σ* (>= 0).
        lead_time: lead time *L*; demand is protected over ``L + 1`` periods.
        base_stock_level: if given, evaluate this *S* instead of optimising.

    Returns:
        ``(base_stock_level, cost)``: *S\\* = μ(L+1) + z_α σ sqrt(L+1)* with *α = p/(h+p)*.

    Raises:
        InvalidParameterError: an argument is out of range.
    """
    return NewsvendorResult(
        *_call(
            "newsvendor_normal",
            holding_cost=holding_cost,
            stockout_cost=stockout_cost,
            demand_mean=demand_mean,
            demand_sd=demand_sd,
            lead_time=lead_time,
            base_stock_level=base_stock_level,
        )
    )


def newsvendor_poisson(
    holding_cost: ArrayLike,
    stockout_cost: ArrayLike,
    demand_mean: ArrayLike,
    base_stock_level: ArrayLike | None = None,
) -> NewsvendorResult:
    """Newsvendor / base-stock level with Poisson demand.

    Args:
        holding_cost: holding cost per unit per period *h* (> 0).
        stockout_cost: stockout cost per unit per period *p* (> 0).
        demand_mean: mean demand per period (>= 0).
        base_stock_level: if given (an integer), evaluate it instead of optimising.

    Returns:
        ``(base_stock_level, cost)``: the smallest integer *S* with *F(S) >= p/(h+p)*.

    Raises:
        InvalidParameterError: an argument is out of range or *S* is not an integer.
    """
    return NewsvendorResult(
        *_call(
            "newsvendor_poisson",
            holding_cost=holding_cost,
            stockout_cost=stockout_cost,
            demand_mean=demand_mean,
            base_stock_level=base_stock_level,
        )
    )


def _rq_args(
    holding_cost: ArrayLike,
    stockout_cost: ArrayLike,
    fixed_cost: ArrayLike,
    demand_mean: ArrayLike,
    demand_sd: ArrayLike,
    lead_time: ArrayLike,
) -> dict[str, ArrayLike]:
    return {
        "holding_cost": holding_cost,
        "stockout_cost": stockout_cost,
        "fixed_cost": fixed_cost,
        "demand_mean": demand_mean,
        "demand_sd": demand_sd,
        "lead_time": lead_time,
    }


def r_q_cost(
    reorder_point: ArrayLike,
    order_quantity: ArrayLike,
    holding_cost: ArrayLike,
    stockout_cost: ArrayLike,
    fixed_cost: ArrayLike,
    demand_mean: ArrayLike,
    demand_sd: ArrayLike,
    lead_time: ArrayLike,
) -> Value:
    """Exact expected cost per period of an (r, Q) policy with normal demand (eq. 5.7).

    *g(r, Q) = [Kλ + ∫_r^{r+Q} g(y) dy] / Q*, the integral in closed form through the
    second-order loss function.

    Args:
        reorder_point: *r*.
        order_quantity: *Q* (> 0).
        holding_cost: *h* (> 0).
        stockout_cost: *p* (> 0).
        fixed_cost: *K* (> 0).
        demand_mean: demand per period *λ* (> 0).
        demand_sd: sd of demand per period *τ*; lead-time demand is N(λL, τ²L).
        lead_time: *L* (>= 0).

    Returns:
        The expected cost per period (float or array).

    Raises:
        InvalidParameterError: an argument is out of range.
    """
    (cost,) = _call(
        "r_q_cost",
        reorder_point=reorder_point,
        order_quantity=order_quantity,
        **_rq_args(holding_cost, stockout_cost, fixed_cost, demand_mean, demand_sd, lead_time),
    )
    return cost


def r_q_eil(
    holding_cost: ArrayLike,
    stockout_cost: ArrayLike,
    fixed_cost: ArrayLike,
    demand_mean: ArrayLike,
    demand_sd: ArrayLike,
    lead_time: ArrayLike,
    tol: float = 1e-6,
) -> RQResult:
    """(r, Q) by the expected-inventory-level approximation (Snyder & Shen Algorithm 5.1).

    Args:
        holding_cost: *h* (> 0).
        stockout_cost: *p* (> 0).
        fixed_cost: *K* (> 0).
        demand_mean: demand per period *λ* (> 0).
        demand_sd: sd of demand per period *τ* (>= 0).
        lead_time: *L* (>= 0).
        tol: stop when *r* and *Q* both move by at most this much.

    Returns:
        ``(reorder_point, order_quantity, cost)``; NaN where *Qh/(pλ) >= 1* (no solution).

    Raises:
        InvalidParameterError: an argument is out of range.
    """
    return RQResult(
        *_call(
            "r_q_eil",
            **_rq_args(holding_cost, stockout_cost, fixed_cost, demand_mean, demand_sd, lead_time),
            tol=tol,
        )
    )


def r_q_eoqss(
    holding_cost: ArrayLike,
    stockout_cost: ArrayLike,
    fixed_cost: ArrayLike,
    demand_mean: ArrayLike,
    demand_sd: ArrayLike,
    lead_time: ArrayLike,
) -> RQPolicy:
    """(r, Q) by the EOQ + safety stock approximation (Snyder & Shen eq. 5.21).

    Args:
        holding_cost, stockout_cost, fixed_cost, demand_mean, demand_sd, lead_time: as in
            :func:`r_q_eil`.

    Returns:
        ``(reorder_point, order_quantity)``: *Q* = EOQ, *r = λL + z_α τ sqrt(L)*,
        *α = p/(h+p)*.

    Raises:
        InvalidParameterError: an argument is out of range.
    """
    return RQPolicy(
        *_call(
            "r_q_eoqss",
            **_rq_args(holding_cost, stockout_cost, fixed_cost, demand_mean, demand_sd, lead_time),
        )
    )


def r_q_eoqb(
    holding_cost: ArrayLike,
    stockout_cost: ArrayLike,
    fixed_cost: ArrayLike,
    demand_mean: ArrayLike,
    demand_sd: ArrayLike,
    lead_time: ArrayLike,
) -> RQPolicy:
    """(r, Q) by the EOQ-with-backorders approximation (Zheng 1992).

    Args:
        holding_cost, stockout_cost, fixed_cost, demand_mean, demand_sd, lead_time: as in
            :func:`r_q_eil`.

    Returns:
        ``(reorder_point, order_quantity)``: *Q* from the EOQB formula and the *r* optimal
        for it (see :func:`r_q_optimal_r_for_q`).

    Raises:
        InvalidParameterError: an argument is out of range.
    """
    return RQPolicy(
        *_call(
            "r_q_eoqb",
            **_rq_args(holding_cost, stockout_cost, fixed_cost, demand_mean, demand_sd, lead_time),
        )
    )


def r_q_loss_function(
    holding_cost: ArrayLike,
    stockout_cost: ArrayLike,
    fixed_cost: ArrayLike,
    demand_mean: ArrayLike,
    demand_sd: ArrayLike,
    lead_time: ArrayLike,
    tol: float = 1e-6,
) -> RQPolicy:
    """(r, Q) by the loss-function approximation (Hadley & Whitin; eq. 5.28–5.29).

    Args:
        holding_cost, stockout_cost, fixed_cost, demand_mean, demand_sd, lead_time: as in
            :func:`r_q_eil`.
        tol: stop when *r* and *Q* both move by at most this much.

    Returns:
        ``(reorder_point, order_quantity)`` with *n(r) = hQ/(h+p)* and
        *Q = sqrt(2[Kλ + (h+p) n⁽²⁾(r)]/h)*.

    Raises:
        InvalidParameterError: an argument is out of range.
    """
    return RQPolicy(
        *_call(
            "r_q_loss_function",
            **_rq_args(holding_cost, stockout_cost, fixed_cost, demand_mean, demand_sd, lead_time),
            tol=tol,
        )
    )


def r_q_optimal_r_for_q(
    order_quantity: ArrayLike,
    holding_cost: ArrayLike,
    stockout_cost: ArrayLike,
    demand_mean: ArrayLike,
    demand_sd: ArrayLike,
    lead_time: ArrayLike,
) -> Value:
    """The reorder point that minimises the (r, Q) cost for a given *Q* (eq. 5.9).

    Args:
        order_quantity: *Q* (> 0).
        holding_cost, stockout_cost, demand_mean, demand_sd, lead_time: as in :func:`r_q_eil`.

    Returns:
        The *r* with *g(r) = g(r + Q)*, solved to machine precision.

    Raises:
        InvalidParameterError: an argument is out of range.
    """
    (r,) = _call(
        "r_q_optimal_r_for_q",
        order_quantity=order_quantity,
        holding_cost=holding_cost,
        stockout_cost=stockout_cost,
        demand_mean=demand_mean,
        demand_sd=demand_sd,
        lead_time=lead_time,
    )
    return r


def s_s_power_approximation(
    holding_cost: ArrayLike,
    stockout_cost: ArrayLike,
    fixed_cost: ArrayLike,
    demand_mean: ArrayLike,
    demand_sd: ArrayLike,
) -> SSPolicy:
    """(s, S) by the power approximation of Ehrhardt & Mosier (1984) (eq. 4.77–4.80).

    Args:
        holding_cost: *h* (> 0).
        stockout_cost: *p* (> 0).
        fixed_cost: *K* (> 0).
        demand_mean: mean demand per period *μ* (> 0).
        demand_sd: sd of demand per period *σ* (> 0).

    Returns:
        ``(reorder_point, order_up_to_level)``, i.e. *(s, S)*.

    Raises:
        InvalidParameterError: an argument is out of range.
    """
    return SSPolicy(
        *_call(
            "s_s_power_approximation",
            holding_cost=holding_cost,
            stockout_cost=stockout_cost,
            fixed_cost=fixed_cost,
            demand_mean=demand_mean,
            demand_sd=demand_sd,
        )
    )


def wagner_whitin(
    demand: ArrayLike, fixed_cost: ArrayLike, holding_cost: ArrayLike
) -> WagnerWhitinResult:
    """Optimal lot sizes for deterministic time-varying demand (Wagner–Whitin, Alg. 3.1).

    Args:
        demand: demand per period; the last axis is time, leading axes are items.
        fixed_cost: fixed cost of an order placed in a period; broadcasts to ``demand``.
        holding_cost: cost of carrying one unit from a period to the next; broadcasts to
            ``demand``. (With a per-period holding cost, a unit ordered in *t* for period
            *i* costs *h_t + … + h_{i−1}*; stockpyl charges *h_t·(i − t)* instead — the two
            agree for a constant *h*.)

    Returns:
        ``(order_quantities, cost)``: the order placed in each period (shape of ``demand``)
        and the optimal total cost per item.

    Raises:
        InvalidParameterError: a negative or non-finite value (names the item index).
    """
    d = np.atleast_1d(_floats("demand", demand))
    k = np.broadcast_to(_floats("fixed_cost", fixed_cost), d.shape)
    h = np.broadcast_to(_floats("holding_cost", holding_cost), d.shape)
    t = d.shape[-1]
    as_rows = [np.ascontiguousarray(a).reshape(-1, t) for a in (d, k, h)]
    orders, costs = _core.inventory_wagner_whitin(*as_rows)
    if d.ndim == 1:
        return WagnerWhitinResult(orders.reshape(t), float(costs[0]))
    return WagnerWhitinResult(orders.reshape(d.shape), costs.reshape(d.shape[:-1]))


def normal_loss(z: ArrayLike) -> LossResult:
    """Standard normal loss *L(z) = E[(Z − z)⁺]* and complement *L̄(z) = z + L(z)*.

    Args:
        z: the argument.

    Returns:
        ``(loss, complementary_loss)``.

    Raises:
        InvalidParameterError: ``z`` is NaN.
    """
    return LossResult(*_call("normal_loss", z=z))


def normal_second_loss(z: ArrayLike) -> LossResult:
    """Standard normal second-order loss *L⁽²⁾(z) = ½E[((Z − z)⁺)²]* and its complement.

    Args:
        z: the argument.

    Returns:
        ``(loss, complementary_loss)`` with *L̄⁽²⁾(z) = ½(z² + 1) − L⁽²⁾(z)*.

    Raises:
        InvalidParameterError: ``z`` is NaN.
    """
    return LossResult(*_call("normal_second_loss", z=z))


def poisson_loss(x: ArrayLike, mean: ArrayLike) -> LossResult:
    """Poisson loss *n(x) = E[(X − x)⁺]* and complementary loss *n̄(x) = E[(x − X)⁺]*.

    Args:
        x: the argument (between integers the functions are linear).
        mean: the Poisson mean (>= 0).

    Returns:
        ``(loss, complementary_loss)``.

    Raises:
        InvalidParameterError: an argument is out of range.
    """
    return LossResult(*_call("poisson_loss", x=x, mean=mean))


def negative_binomial_loss(
    x: ArrayLike,
    r: ArrayLike | None = None,
    p: ArrayLike | None = None,
    mean: ArrayLike | None = None,
    sd: ArrayLike | None = None,
) -> LossResult:
    """Negative binomial loss and complementary loss (scipy's ``nbinom(r, p)``).

    Give either ``r`` and ``p``, or ``mean`` and ``sd`` (moment matching:
    *r = μ²/(σ² − μ)*, *p = μ/σ²*, which needs *σ² > μ*).

    Args:
        x: the argument (between integers the functions are linear).
        r: number of successes (> 0, need not be an integer).
        p: success probability in (0, 1].
        mean: mean of the distribution.
        sd: standard deviation of the distribution.

    Returns:
        ``(loss, complementary_loss)``.

    Raises:
        InvalidParameterError: neither parameter pair is complete, or *σ² <= μ*.
    """
    if r is None or p is None:
        if mean is None or sd is None:
            raise InvalidParameterError("give either r and p, or mean and sd")
        mu = _floats("mean", mean)
        var = _floats("sd", sd) ** 2
        if np.any(~(var > mu)) or np.any(~(mu > 0)):
            raise InvalidParameterError(
                "negative_binomial_loss needs 0 < mean < sd**2 to match moments"
            )
        r = mu * mu / (var - mu)
        p = mu / var
    return LossResult(*_call("negative_binomial_loss", x=x, r=r, p=p))


def safety_stock(
    demand_mean: ArrayLike,
    demand_sd: ArrayLike,
    lead_time: ArrayLike,
    service_level: ArrayLike,
    service_type: str = "cycle",
    lead_time_sd: ArrayLike = 0,
    order_quantity: ArrayLike | None = None,
) -> Value:
    """Safety stock over the lead time for a service target, normal lead-time demand.

    Lead-time demand has mean *μL* and sd *σ_L = sqrt(L σ² + μ² σ_LT²)* (demand and
    lead-time variability). The safety stock is *z σ_L* with

    * ``service_type="cycle"`` (type 1): *z = Φ⁻¹(α)*, so P(no stockout in a cycle) = α;
    * ``service_type="fill_rate"`` (type 2): *z* solves *σ_L L(z) = (1 − β) Q* exactly,
      so the expected shortage per cycle is the fraction *1 − β* of the order quantity.

    Args:
        demand_mean: mean demand per period *μ*.
        demand_sd: sd of demand per period *σ*.
        lead_time: lead time *L* in periods.
        service_level: *α* (cycle) or *β* (fill rate), strictly between 0 and 1.
        service_type: ``"cycle"`` or ``"fill_rate"``.
        lead_time_sd: sd of the lead time *σ_LT* in periods.
        order_quantity: *Q*, required for a fill rate.

    Returns:
        The safety stock (float or array); 0 where *σ_L = 0*. A fill-rate safety stock can
        be negative when *Q* alone already meets the target.

    Raises:
        InvalidParameterError: an argument is out of range, an unknown ``service_type``,
            or a fill rate without ``order_quantity``.
    """
    base = {
        "demand_mean": demand_mean,
        "demand_sd": demand_sd,
        "lead_time": lead_time,
        "service_level": service_level,
        "lead_time_sd": lead_time_sd,
    }
    if service_type == "cycle":
        (ss,) = _call("safety_stock_cycle", **base)
    elif service_type == "fill_rate":
        if order_quantity is None:
            raise InvalidParameterError(
                "safety_stock: service_type='fill_rate' needs order_quantity"
            )
        (ss,) = _call("safety_stock_fill_rate", **base, order_quantity=order_quantity)
    else:
        raise InvalidParameterError(
            f"service_type must be 'cycle' or 'fill_rate', got {service_type!r}"
        )
    return ss
