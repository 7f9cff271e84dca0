//! The inventory formulas by name, evaluated element-wise over argument columns: the one
//! entry point the Python module `shelfcast.inventory` calls (after broadcasting), so the
//! binding layer needs a single function for all of them. Optional scalar arguments are
//! passed as NaN when absent.

use super::args::{finite, non_negative, positive};
use super::discrete::Discrete;
use super::eoq::{eoq_all_units, eoq_backorders, eoq_solve};
use super::lot_sizing::wagner_whitin;
use super::newsvendor::{newsvendor_normal, newsvendor_poisson};
use super::normal;
use super::rq::{r_q_cost, r_q_eil, r_q_eoqb, r_q_eoqss, r_q_loss_function, r_q_optimal_r_for_q};
use super::s_s::s_s_power_approximation;
use super::safety_stock::{safety_stock, ServiceType};
use super::vectorize::{at_index, map};
use crate::error::{Error, Result};
use crate::parallel;
use rayon::prelude::*;

/// Every formula name [`evaluate`] knows, with its argument names in order.
pub const FORMULAS: &[(&str, &[&str])] = &[
    (
        "eoq",
        &[
            "fixed_cost",
            "holding_cost",
            "demand_rate",
            "order_quantity",
        ],
    ),
    (
        "eoq_with_backorders",
        &["fixed_cost", "holding_cost", "stockout_cost", "demand_rate"],
    ),
    (
        "newsvendor_normal",
        &[
            "holding_cost",
            "stockout_cost",
            "demand_mean",
            "demand_sd",
            "lead_time",
            "base_stock_level",
        ],
    ),
    (
        "newsvendor_poisson",
        &[
            "holding_cost",
            "stockout_cost",
            "demand_mean",
            "base_stock_level",
        ],
    ),
    (
        "r_q_cost",
        &[
            "reorder_point",
            "order_quantity",
            "holding_cost",
            "stockout_cost",
            "fixed_cost",
            "demand_mean",
            "demand_sd",
            "lead_time",
        ],
    ),
    (
        "r_q_eil",
        &[
            "holding_cost",
            "stockout_cost",
            "fixed_cost",
            "demand_mean",
            "demand_sd",
            "lead_time",
            "tol",
        ],
    ),
    (
        "r_q_eoqss",
        &[
            "holding_cost",
            "stockout_cost",
            "fixed_cost",
            "demand_mean",
            "demand_sd",
            "lead_time",
        ],
    ),
    (
        "r_q_eoqb",
        &[
            "holding_cost",
            "stockout_cost",
            "fixed_cost",
            "demand_mean",
            "demand_sd",
            "lead_time",
        ],
    ),
    (
        "r_q_loss_function",
        &[
            "holding_cost",
            "stockout_cost",
            "fixed_cost",
            "demand_mean",
            "demand_sd",
            "lead_time",
            "tol",
        ],
    ),
    (
        "r_q_optimal_r_for_q",
        &[
            "order_quantity",
            "holding_cost",
            "stockout_cost",
            "demand_mean",
            "demand_sd",
            "lead_time",
        ],
    ),
    (
        "s_s_power_approximation",
        &[
            "holding_cost",
            "stockout_cost",
            "fixed_cost",
            "demand_mean",
            "demand_sd",
        ],
    ),
    ("normal_loss", &["z"]),
    ("normal_second_loss", &["z"]),
    ("poisson_loss", &["x", "mean"]),
    ("negative_binomial_loss", &["x", "r", "p"]),
    (
        "safety_stock_cycle",
        &[
            "demand_mean",
            "demand_sd",
            "lead_time",
            "service_level",
            "lead_time_sd",
        ],
    ),
    (
        "safety_stock_fill_rate",
        &[
            "demand_mean",
            "demand_sd",
            "lead_time",
            "service_level",
            "lead_time_sd",
            "order_quantity",
        ],
    ),
];

fn columns<'a, const K: usize>(name: &str, args: &[&'a [f64]]) -> Result<[&'a [f64]; K]> {
    args.try_into().map_err(|_| {
        Error::Shape(format!(
            "formula `{name}` takes {K} argument columns, got {}",
            args.len()
        ))
    })
}

fn negative_binomial(r: f64, p: f64) -> Result<Discrete> {
    let r = positive("r", r)?;
    if !(p > 0.0 && p <= 1.0) {
        return Err(Error::param("p", format!("must be in (0, 1], got {p}")));
    }
    Ok(Discrete::NegBin { r, p })
}

/// Evaluate formula `name` on every row of `args` (equal-length columns). Returns the
/// formula's outputs as columns, in the order its Python wrapper names them.
///
/// # Errors
/// An unknown name, a wrong number of columns, or an invalid element (named with its index).
pub fn evaluate(name: &str, args: &[&[f64]]) -> Result<Vec<Vec<f64>>> {
    let out: Vec<Vec<f64>> = match name {
        "eoq" => map(columns::<4>(name, args)?, |[k, h, l, q]| {
            eoq_solve(k, h, l, q).map(|(q, g)| [q, g])
        })?
        .into(),
        "eoq_with_backorders" => map(columns::<4>(name, args)?, |[k, h, p, l]| {
            eoq_backorders(k, h, p, l).map(|(q, x, g)| [q, x, g])
        })?
        .into(),
        "newsvendor_normal" => map(columns::<6>(name, args)?, |[h, p, m, s, l, b]| {
            newsvendor_normal(h, p, m, s, l, b).map(|(s, g)| [s, g])
        })?
        .into(),
        "newsvendor_poisson" => map(columns::<4>(name, args)?, |[h, p, m, b]| {
            newsvendor_poisson(h, p, m, b).map(|(s, g)| [s, g])
        })?
        .into(),
        "r_q_cost" => map(columns::<8>(name, args)?, |[r, q, h, p, k, m, s, l]| {
            r_q_cost(r, q, h, p, k, m, s, l).map(|g| [g])
        })?
        .into(),
        "r_q_eil" => map(columns::<7>(name, args)?, |[h, p, k, m, s, l, tol]| {
            r_q_eil(h, p, k, m, s, l, tol).map(|(r, q, g)| [r, q, g])
        })?
        .into(),
        "r_q_eoqss" => map(columns::<6>(name, args)?, |[h, p, k, m, s, l]| {
            r_q_eoqss(h, p, k, m, s, l).map(|(r, q)| [r, q])
        })?
        .into(),
        "r_q_eoqb" => map(columns::<6>(name, args)?, |[h, p, k, m, s, l]| {
            r_q_eoqb(h, p, k, m, s, l).map(|(r, q)| [r, q])
        })?
        .into(),
        "r_q_loss_function" => map(columns::<7>(name, args)?, |[h, p, k, m, s, l, tol]| {
            r_q_loss_function(h, p, k, m, s, l, tol).map(|(r, q)| [r, q])
        })?
        .into(),
        "r_q_optimal_r_for_q" => map(columns::<6>(name, args)?, |[q, h, p, m, s, l]| {
            r_q_optimal_r_for_q(q, h, p, m, s, l).map(|r| [r])
        })?
        .into(),
        "s_s_power_approximation" => map(columns::<5>(name, args)?, |[h, p, k, m, s]| {
            s_s_power_approximation(h, p, k, m, s).map(|(s, big)| [s, big])
        })?
        .into(),
        "normal_loss" => map(columns::<1>(name, args)?, |[z]| {
            let z = finite_or_inf("z", z)?;
            Ok([normal::loss(z), normal::complementary_loss(z)])
        })?
        .into(),
        "normal_second_loss" => map(columns::<1>(name, args)?, |[z]| {
            let z = finite_or_inf("z", z)?;
            Ok([normal::loss2(z), normal::complementary_loss2(z)])
        })?
        .into(),
        "poisson_loss" => map(columns::<2>(name, args)?, |[x, m]| {
            let d = Discrete::Poisson {
                mean: non_negative("mean", m)?,
            };
            let x = finite("x", x)?;
            Ok([d.loss(x), d.complementary_loss(x)])
        })?
        .into(),
        "negative_binomial_loss" => map(columns::<3>(name, args)?, |[x, r, p]| {
            let d = negative_binomial(r, p)?;
            let x = finite("x", x)?;
            Ok([d.loss(x), d.complementary_loss(x)])
        })?
        .into(),
        "safety_stock_cycle" => map(columns::<5>(name, args)?, |[m, s, l, a, ls]| {
            safety_stock(m, s, l, a, ServiceType::Cycle, ls, f64::NAN).map(|v| [v])
        })?
        .into(),
        "safety_stock_fill_rate" => map(columns::<6>(name, args)?, |[m, s, l, b, ls, q]| {
            safety_stock(m, s, l, b, ServiceType::FillRate, ls, q).map(|v| [v])
        })?
        .into(),
        other => {
            let known: Vec<&str> = FORMULAS.iter().map(|(n, _)| *n).collect();
            return Err(Error::param(
                "name",
                format!("unknown inventory formula {other:?}; known: {known:?}"),
            ));
        }
    };
    Ok(out)
}

fn finite_or_inf(name: &str, v: f64) -> Result<f64> {
    if v.is_nan() {
        Err(Error::param(name, "must not be NaN"))
    } else {
        Ok(v)
    }
}

/// [`eoq_all_units`] for `n` items whose breakpoints and unit costs are rows of
/// `n × m` arrays (row-major). Returns `(Q, region, cost)` columns.
///
/// # Errors
/// Shapes disagree or an item's inputs are invalid (named with its index).
pub fn eoq_all_units_batch(
    fixed_cost: &[f64],
    holding_cost_rate: &[f64],
    demand_rate: &[f64],
    breakpoints: &[f64],
    unit_costs: &[f64],
    m: usize,
) -> Result<[Vec<f64>; 3]> {
    let n = fixed_cost.len();
    if holding_cost_rate.len() != n
        || demand_rate.len() != n
        || breakpoints.len() != n * m
        || unit_costs.len() != n * m
    {
        return Err(Error::Shape(format!(
            "eoq_all_units: {n} items but {} holding cost rates, {} demand rates, {} and {} \
             breakpoint / unit cost values for {m} regions",
            holding_cost_rate.len(),
            demand_rate.len(),
            breakpoints.len(),
            unit_costs.len()
        )));
    }
    let idx: Vec<f64> = (0..n).map(|i| i as f64).collect();
    map([&idx], |[i]| {
        let i = i as usize;
        let rows = i * m..(i + 1) * m;
        eoq_all_units(
            fixed_cost[i],
            holding_cost_rate[i],
            demand_rate[i],
            &breakpoints[rows.clone()],
            &unit_costs[rows],
        )
        .map(|(q, j, g)| [q, j as f64, g])
    })
}

/// [`wagner_whitin`] for `n` items: `n × T` row-major demand, fixed and holding costs.
/// Returns the `n × T` order quantities and the `n` optimal costs.
///
/// # Errors
/// Shapes disagree or an item's inputs are invalid (named with its index).
pub fn wagner_whitin_batch(
    demand: &[f64],
    fixed_cost: &[f64],
    holding_cost: &[f64],
    periods: usize,
) -> Result<(Vec<f64>, Vec<f64>)> {
    if fixed_cost.len() != demand.len() || holding_cost.len() != demand.len() {
        return Err(Error::Shape(format!(
            "wagner_whitin: demand has {} values, fixed_cost {}, holding_cost {}",
            demand.len(),
            fixed_cost.len(),
            holding_cost.len()
        )));
    }
    if periods == 0 {
        return Ok((vec![], vec![0.0; if demand.is_empty() { 0 } else { 1 }]));
    }
    let n = demand.len() / periods;
    let solve = |i: usize| {
        let rows = i * periods..(i + 1) * periods;
        wagner_whitin(
            &demand[rows.clone()],
            &fixed_cost[rows.clone()],
            &holding_cost[rows],
        )
        .map_err(|e| at_index(e, i, n))
    };
    let solved: Vec<Result<(Vec<f64>, f64)>> =
        parallel::install(|| (0..n).into_par_iter().map(solve).collect());
    let mut orders = Vec::with_capacity(demand.len());
    let mut costs = Vec::with_capacity(n);
    for s in solved {
        let (q, c) = s?;
        orders.extend(q);
        costs.push(c);
    }
    Ok((orders, costs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatches_by_name() {
        let out = evaluate("eoq", &[&[8.0], &[0.225], &[1300.0], &[f64::NAN]]).unwrap();
        assert!((out[0][0] - 304.046_780_026_436_8).abs() < 1e-9);
        assert!(evaluate("nope", &[]).is_err());
        assert!(evaluate("eoq", &[&[1.0]]).is_err());
        for (name, params) in FORMULAS {
            let cols: Vec<Vec<f64>> = params.iter().map(|_| vec![]).collect();
            let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
            assert!(evaluate(name, &refs).is_ok(), "{name}");
        }
    }

    #[test]
    fn batches() {
        let (q, c) =
            wagner_whitin_batch(&[90.0, 120.0, 80.0, 70.0], &[500.0; 4], &[2.0; 4], 4).unwrap();
        assert_eq!(q, vec![210.0, 0.0, 150.0, 0.0]);
        assert_eq!(c, vec![1380.0]);
        let [q, j, _] = eoq_all_units_batch(
            &[200.0],
            &[0.2],
            &[1000.0],
            &[0.0, 200.0, 500.0],
            &[500.0, 475.0, 450.0],
            3,
        )
        .unwrap();
        assert_eq!((q[0], j[0]), (500.0, 2.0));
    }
}
