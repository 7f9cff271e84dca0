"""`shelfcast.inventory` against stockpyl (the oracle): the textbook's examples and random
inputs, numbers equal to 1e-6 (relative, or absolute below 1)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from shelfcast import inventory as inv
from shelfcast.exceptions import ColumnTypeError, InvalidParameterError, ShelfcastError

sp_eoq = pytest.importorskip("stockpyl.eoq")
sp_nv = pytest.importorskip("stockpyl.newsvendor")
sp_rq = pytest.importorskip("stockpyl.rq")
sp_ss = pytest.importorskip("stockpyl.ss")
sp_ww = pytest.importorskip("stockpyl.wagner_whitin")
sp_lf = pytest.importorskip("stockpyl.loss_functions")
stats = pytest.importorskip("scipy.stats")

TOL = {"rtol": 1e-6, "atol": 1e-6}
N_RANDOM = 150


def close(ours, theirs, **tol):
    np.testing.assert_allclose(np.asarray(ours, float), np.asarray(theirs, float), **(tol or TOL))


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


# --- textbook examples (Snyder & Shen, as in stockpyl's doctests) ---------------------------

EX5 = (0.225, 7.5, 8, 1300, 150, 1 / 12)  # h, p, K, lambda, tau, L of Examples 5.1-5.6


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda: inv.eoq(8, 0.225, 1300), lambda: sp_eoq.economic_order_quantity(8, 0.225, 1300)),
        (
            lambda: inv.eoq(8, 0.225, 1300, order_quantity=250),
            lambda: sp_eoq.economic_order_quantity(8, 0.225, 1300, 250),
        ),
        (
            lambda: inv.eoq_with_backorders(8, 0.225, 5, 1300),
            lambda: sp_eoq.economic_order_quantity_with_backorders(8, 0.225, 5, 1300),
        ),
        (
            lambda: inv.eoq_all_units_discount(200, 0.2, 1000, [0, 200, 500], [500, 475, 450]),
            lambda: sp_eoq.economic_order_quantity_with_all_units_discounts(
                200, 0.2, 1000, [0, 200, 500], [500, 475, 450]
            ),
        ),
        (
            lambda: inv.newsvendor_normal(0.18, 0.70, 50, 8),
            lambda: sp_nv.newsvendor_normal(0.18, 0.70, 50, 8),
        ),
        (
            lambda: inv.newsvendor_normal(0.18, 0.70, 50, 8, lead_time=3, base_stock_level=60),
            lambda: sp_nv.newsvendor_normal(0.18, 0.70, 50, 8, 3, 60),
        ),
        (
            lambda: inv.newsvendor_poisson(0.18, 0.70, 50),
            lambda: sp_nv.newsvendor_poisson(0.18, 0.70, 50),
        ),
        (
            lambda: (inv.r_q_cost(126.8, 328.5, *EX5),),
            lambda: (sp_rq.r_q_cost(126.8, 328.5, *EX5),),
        ),
        (lambda: inv.r_q_eil(*EX5), lambda: sp_rq.r_q_eil_approximation(*EX5)),
        (lambda: inv.r_q_eoqss(*EX5), lambda: sp_rq.r_q_eoqss_approximation(*EX5)),
        (lambda: inv.r_q_eoqb(*EX5), lambda: sp_rq.r_q_eoqb_approximation(*EX5)),
        (
            lambda: inv.r_q_loss_function(*EX5),
            lambda: sp_rq.r_q_loss_function_approximation(*EX5),
        ),
        (
            lambda: (inv.r_q_optimal_r_for_q(300, 0.225, 7.5, 1300, 150, 1 / 12),),
            lambda: (sp_rq.r_q_optimal_r_for_q(300, 0.225, 7.5, 1300, 150, 1 / 12),),
        ),
        (
            lambda: inv.s_s_power_approximation(0.18, 0.70, 2.5, 50, 8),
            lambda: sp_ss.s_s_power_approximation(0.18, 0.70, 2.5, 50, 8),
        ),
        (lambda: inv.normal_loss(1.3), lambda: sp_lf.standard_normal_loss(1.3)),
        (lambda: inv.normal_second_loss(1.3), lambda: sp_lf.standard_normal_second_loss(1.3)),
        (lambda: inv.poisson_loss(18, 15), lambda: sp_lf.poisson_loss(18, 15)),
        (
            lambda: inv.negative_binomial_loss(14, 4, 0.2),
            lambda: sp_lf.negative_binomial_loss(14, 4, 0.2),
        ),
        (
            lambda: inv.negative_binomial_loss(14, mean=23, sd=8),
            lambda: sp_lf.negative_binomial_loss(14, mean=23, sd=8),
        ),
    ],
)
def test_textbook_examples_equal_stockpyl(ours, theirs):
    got, want = tuple(ours()), tuple(theirs())
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        close(g, w)


def test_wagner_whitin_textbook():
    q, cost = inv.wagner_whitin([90, 120, 80, 70], 500, 2)
    want_q, want_cost, _, _ = sp_ww.wagner_whitin(4, 2, 500, [90, 120, 80, 70])
    close(q, want_q[1:])
    assert cost == want_cost == 1380.0


def test_results_are_named_tuples_of_floats_for_scalars():
    res = inv.r_q_eil(*EX5)
    assert res._fields == ("reorder_point", "order_quantity", "cost")
    assert all(isinstance(v, float) for v in res)
    assert inv.normal_loss(0.0)._fields == ("loss", "complementary_loss")
    assert inv.s_s_power_approximation(0.18, 0.7, 2.5, 50, 8)._fields == (
        "reorder_point",
        "order_up_to_level",
    )


# --- random inputs --------------------------------------------------------------------------


def test_eoq_family_random():
    g = rng(1)
    k = g.uniform(0.5, 500, N_RANDOM)
    h = g.uniform(0.05, 5, N_RANDOM)
    p = g.uniform(0.1, 50, N_RANDOM)
    lam = g.uniform(0, 5000, N_RANDOM)
    q, c = inv.eoq(k, h, lam)
    qb, xb, cb = inv.eoq_with_backorders(k, h, p, lam)
    for i in range(N_RANDOM):
        close((q[i], c[i]), sp_eoq.economic_order_quantity(k[i], h[i], lam[i]))
        close(
            (qb[i], xb[i], cb[i]),
            sp_eoq.economic_order_quantity_with_backorders(k[i], h[i], p[i], lam[i]),
        )


def test_all_units_discount_random():
    g = rng(2)
    for _ in range(N_RANDOM):
        m = int(g.integers(1, 5))
        breaks = [0.0, *np.sort(g.uniform(1, 2000, m - 1)).tolist()]
        costs = np.sort(g.uniform(1, 100, m))[::-1].tolist()
        k, i, lam = g.uniform(1, 500), g.uniform(0.05, 0.5), g.uniform(10, 5000)
        want = sp_eoq.economic_order_quantity_with_all_units_discounts(k, i, lam, breaks, costs)
        got = inv.eoq_all_units_discount(k, i, lam, breaks, costs)
        close(got, want)
        assert got.region == want[1]


def test_all_units_discount_vectorised_rows():
    breaks = np.array([[0, 200, 500], [0, 100, 300]], float)
    costs = np.array([[500, 475, 450], [10, 9, 8]], float)
    got = inv.eoq_all_units_discount([200, 50], 0.2, [1000, 400], breaks, costs)
    for j in range(2):
        want = sp_eoq.economic_order_quantity_with_all_units_discounts(
            [200, 50][j], 0.2, [1000, 400][j], breaks[j].tolist(), costs[j].tolist()
        )
        close((got[0][j], got[1][j], got[2][j]), want)


def test_newsvendor_random():
    g = rng(3)
    h = g.uniform(0.05, 5, N_RANDOM)
    p = g.uniform(0.05, 50, N_RANDOM)
    mu = g.uniform(0.5, 500, N_RANDOM)
    sd = mu * g.uniform(0.05, 1.0, N_RANDOM)
    lt = g.integers(0, 6, N_RANDOM)
    s_given = mu * g.uniform(0.5, 2, N_RANDOM)
    s, c = inv.newsvendor_normal(h, p, mu, sd, lt)
    _, c_given = inv.newsvendor_normal(h, p, mu, sd, lt, s_given)
    sp_, cp_ = inv.newsvendor_poisson(h, p, mu)
    for i in range(N_RANDOM):
        close((s[i], c[i]), sp_nv.newsvendor_normal(h[i], p[i], mu[i], sd[i], int(lt[i])))
        close(
            c_given[i],
            sp_nv.newsvendor_normal_cost(s_given[i], h[i], p[i], mu[i], sd[i], int(lt[i])),
        )
        close((sp_[i], cp_[i]), sp_nv.newsvendor_poisson(h[i], p[i], mu[i]))


N_RQ = 40  # stockpyl's (r, Q) routines are slow (root finding and quadrature in Python)


def _rq_draws(seed: int):
    g = rng(seed)
    h = g.uniform(0.05, 2, N_RQ)
    p = h * g.uniform(5, 60, N_RQ)
    k = g.uniform(1, 200, N_RQ)
    lam = g.uniform(200, 5000, N_RQ)
    tau = np.sqrt(lam) * g.uniform(0.5, 5, N_RQ)
    lt = g.uniform(0.02, 1.5, N_RQ)
    return h, p, k, lam, tau, lt


def test_r_q_approximations_random():
    h, p, k, lam, tau, lt = _rq_draws(4)
    eil = inv.r_q_eil(h, p, k, lam, tau, lt)
    ss = inv.r_q_eoqss(h, p, k, lam, tau, lt)
    lf = inv.r_q_loss_function(h, p, k, lam, tau, lt)
    checked = 0
    for i in range(N_RQ):
        args = (h[i], p[i], k[i], lam[i], tau[i], lt[i])
        close((ss[0][i], ss[1][i]), sp_rq.r_q_eoqss_approximation(*args))
        close((lf[0][i], lf[1][i]), sp_rq.r_q_loss_function_approximation(*args))
        want = sp_rq.r_q_eil_approximation(*args)
        if np.isfinite(want).all():
            close((eil[0][i], eil[1][i], eil[2][i]), want)
            checked += 1
    assert checked > N_RQ // 2


def test_r_q_eoqb_and_optimal_r_random():
    # stockpyl stops its bisection when |g(r) - g(r+Q)| <= 1e-6 (a cost), so its r is only
    # that accurate; ours is solved to machine precision. Compare within stockpyl's own
    # tolerance mapped to r: |dr| <= 1e-6 / |g'(r) - g'(r+Q)| (plus 1e-6).
    h, p, k, lam, tau, lt = _rq_draws(5)
    r_b, q_b = inv.r_q_eoqb(h, p, k, lam, tau, lt)
    for i in range(N_RQ):
        args = (h[i], p[i], k[i], lam[i], tau[i], lt[i])
        want_r, want_q = sp_rq.r_q_eoqb_approximation(*args)
        close(q_b[i], want_q)
        mu, sigma = lam[i] * lt[i], tau[i] * math.sqrt(lt[i])
        cdf = stats.norm.cdf
        slope = (h[i] + p[i]) * (cdf(want_r + want_q, mu, sigma) - cdf(want_r, mu, sigma))
        assert abs(r_b[i] - want_r) <= 1e-6 + 1e-6 / slope
    for i in range(0, N_RQ, 3):
        q = 50 + 400 * (i / N_RQ)
        r = inv.r_q_optimal_r_for_q(q, h[i], p[i], lam[i], tau[i], lt[i])
        want = sp_rq.r_q_optimal_r_for_q(q, h[i], p[i], lam[i], tau[i], lt[i])
        close(r, want, rtol=1e-5, atol=1e-4)


def test_r_q_cost_random():
    # stockpyl integrates numerically (scipy quad, ~1.5e-8 relative); ours is closed form.
    h, p, k, lam, tau, lt = _rq_draws(6)
    g = rng(7)
    r = lam * lt + g.uniform(-1, 3, N_RQ) * tau * np.sqrt(lt)
    q = g.uniform(10, 1000, N_RQ)
    cost = inv.r_q_cost(r, q, h, p, k, lam, tau, lt)
    for i in range(0, N_RQ, 2):
        close(cost[i], sp_rq.r_q_cost(r[i], q[i], h[i], p[i], k[i], lam[i], tau[i], lt[i]))


def test_s_s_power_random():
    g = rng(8)
    h = g.uniform(0.05, 2, N_RANDOM)
    p = g.uniform(0.5, 20, N_RANDOM)
    k = g.uniform(0.5, 100, N_RANDOM)
    mu = g.uniform(1, 500, N_RANDOM)
    sd = mu * g.uniform(0.05, 1, N_RANDOM)
    s, big_s = inv.s_s_power_approximation(h, p, k, mu, sd)
    for i in range(N_RANDOM):
        close((s[i], big_s[i]), sp_ss.s_s_power_approximation(h[i], p[i], k[i], mu[i], sd[i]))


def test_wagner_whitin_random():
    g = rng(9)
    n, t = 40, 12
    demand = g.integers(0, 200, (n, t)).astype(float)
    demand[g.random((n, t)) < 0.2] = 0.0
    k = g.uniform(50, 1000, n)
    h = g.uniform(0.5, 5, n)
    q, cost = inv.wagner_whitin(demand, k[:, None], h[:, None])
    assert q.shape == (n, t) and cost.shape == (n,)
    for i in range(n):
        want_q, want_cost, _, _ = sp_ww.wagner_whitin(t, h[i], k[i], demand[i].tolist())
        close(q[i], want_q[1:])
        close(cost[i], want_cost)
        assert q[i].sum() == pytest.approx(demand[i].sum())


def test_loss_functions_random():
    g = rng(10)
    z = g.uniform(-5, 5, N_RANDOM)
    loss, comp = inv.normal_loss(z)
    loss2, comp2 = inv.normal_second_loss(z)
    x = g.integers(0, 120, N_RANDOM)
    mean = g.uniform(0.1, 100, N_RANDOM)
    pl, pc = inv.poisson_loss(x, mean)
    r = g.uniform(0.3, 20, N_RANDOM)
    prob = g.uniform(0.05, 0.95, N_RANDOM)
    nl, nc = inv.negative_binomial_loss(x, r, prob)
    for i in range(N_RANDOM):
        close((loss[i], comp[i]), sp_lf.standard_normal_loss(z[i]))
        close((loss2[i], comp2[i]), sp_lf.standard_normal_second_loss(z[i]))
        close((pl[i], pc[i]), sp_lf.poisson_loss(int(x[i]), mean[i]))
        close((nl[i], nc[i]), sp_lf.negative_binomial_loss(int(x[i]), r[i], prob[i]))


def test_discrete_loss_is_linear_between_integers():
    lo = inv.poisson_loss(3, 4.2)
    hi = inv.poisson_loss(4, 4.2)
    mid = inv.poisson_loss(3.25, 4.2)
    close(mid.loss, 0.75 * lo.loss + 0.25 * hi.loss)


# --- safety stock -----------------------------------------------------------------------------


def test_safety_stock_cycle_is_z_sigma_l():
    g = rng(11)
    mu, sd = g.uniform(0, 100, N_RANDOM), g.uniform(0, 30, N_RANDOM)
    lt, lt_sd = g.uniform(0, 20, N_RANDOM), g.uniform(0, 3, N_RANDOM)
    alpha = g.uniform(0.5, 0.999, N_RANDOM)
    ss = inv.safety_stock(mu, sd, lt, alpha, lead_time_sd=lt_sd)
    sigma_l = np.sqrt(lt * sd**2 + mu**2 * lt_sd**2)
    close(ss, stats.norm.ppf(alpha) * sigma_l, rtol=1e-10, atol=1e-10)
    # With no lead-time variability it is the newsvendor's safety stock over L (+1) periods.
    s_star, _ = sp_nv.newsvendor_normal(1.0, 19.0, 10.0, 3.0, lead_time=3)
    close(inv.safety_stock(10, 3, 4, 0.95), s_star - 40.0)


def test_fill_rate_safety_stock_solves_the_loss_equation_exactly():
    g = rng(12)
    mu, sd = g.uniform(1, 100, N_RANDOM), g.uniform(0.5, 30, N_RANDOM)
    lt, lt_sd = g.uniform(0.5, 20, N_RANDOM), g.uniform(0, 3, N_RANDOM)
    beta = g.uniform(0.5, 0.9999, N_RANDOM)
    q = g.uniform(1, 2000, N_RANDOM)
    ss = inv.safety_stock(mu, sd, lt, beta, "fill_rate", lt_sd, q)
    sigma_l = np.sqrt(lt * sd**2 + mu**2 * lt_sd**2)
    z = ss / sigma_l
    lhs = np.array([sigma_l[i] * sp_lf.standard_normal_loss(z[i])[0] for i in range(N_RANDOM)])
    close(lhs, (1 - beta) * q, rtol=1e-9, atol=1e-12)
    # Larger Q -> less safety stock; negative when Q alone meets the target.
    assert inv.safety_stock(10, 3, 4, 0.9, "fill_rate", order_quantity=1000) < 0


def test_safety_stock_errors():
    with pytest.raises(InvalidParameterError, match="order_quantity"):
        inv.safety_stock(10, 3, 4, 0.95, "fill_rate")
    with pytest.raises(InvalidParameterError, match="service_level"):
        inv.safety_stock(10, 3, 4, [0.9, 1.0])
    with pytest.raises(InvalidParameterError, match="service_type"):
        inv.safety_stock(10, 3, 4, 0.9, "type3")


# --- vectorisation and errors -----------------------------------------------------------------


def test_broadcasting_shapes():
    q, c = inv.eoq(np.array([[8.0], [16.0]]), 0.225, np.array([1000.0, 1300.0, 1600.0]))
    assert q.shape == c.shape == (2, 3)
    close(q[1, 2], sp_eoq.economic_order_quantity(16, 0.225, 1600)[0])
    s, _ = inv.newsvendor_normal(0.18, 0.7, [50, 60], 8)
    assert s.shape == (2,)
    strided = np.arange(20.0)[::4] + 1.0  # non-contiguous input
    close(inv.normal_loss(strided).loss, [sp_lf.standard_normal_loss(v)[0] for v in strided])


def test_errors_name_argument_and_index():
    with pytest.raises(InvalidParameterError, match=r"holding_cost.*-1.*index 1"):
        inv.eoq(8, [0.2, -1.0], 1300)
    with pytest.raises(ShelfcastError):
        inv.newsvendor_poisson(1, 2, 10, base_stock_level=3.5)
    with pytest.raises(ValueError, match="broadcast"):
        inv.eoq([1, 2], [1, 2, 3], 1)
    with pytest.raises(ColumnTypeError):
        inv.eoq("8", 1, 1)
    with pytest.raises(InvalidParameterError, match="mean and sd"):
        inv.negative_binomial_loss(3)
    with pytest.raises(InvalidParameterError, match="sd"):
        inv.negative_binomial_loss(3, mean=10, sd=2)


def test_eil_without_solution_is_nan():
    # Q h / (p lambda) >= 1: the EIL fixed point does not exist.
    r, q, c = inv.r_q_eil(5.0, 0.01, 100, 10, 3, 1)
    assert math.isnan(r) and math.isnan(q) and math.isnan(c)
