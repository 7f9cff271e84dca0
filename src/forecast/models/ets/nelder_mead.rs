//! Box-constrained Nelder–Mead, the variant statsforecast's ETS uses: adaptive coefficients
//! (Gao & Han 2012), every trial point clamped to the bounds, an initial simplex that
//! scales one coordinate at a time by 5 % (or sets it to 1e-4 when it is 0), and a stop
//! when the population standard deviation of the vertex values drops below a tolerance
//! (tested after ordering the vertices, so the best vertex is returned).
//!
//! The likelihood surfaces of ETS models have long flat ridges where the path the simplex
//! takes decides which optimum is found, and so which model AICc selects. To follow
//! statsforecast's path bit for bit, sums are formed in the order its compiled code (Eigen
//! 3.4 with SSE2) forms them: the centroid's column sums add rows as
//! `r0 + ((r1 + r2) + (r3 + r4)) + …` in pairs of columns and sequentially in a last odd
//! column, and the mean of the vertex values uses two interleaved two-lane accumulators.
//!
//! All buffers live in a [`Workspace`] that is reused across calls: an iteration allocates
//! nothing.

use std::cmp::Ordering;

/// Optimiser settings.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Relative size of the initial simplex.
    pub init_step: f64,
    /// Initial step for a coordinate that starts at 0.
    pub zero_step: f64,
    /// Stop when the standard deviation of the vertex values is below this.
    pub tol_std: f64,
    /// Maximum number of iterations.
    pub max_iter: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            init_step: 0.05,
            zero_step: 1e-4,
            tol_std: 1e-4,
            max_iter: 1000,
        }
    }
}

/// Reusable buffers for problems of up to the dimension given at creation.
#[derive(Debug, Default)]
pub struct Workspace {
    simplex: Vec<f64>,
    values: Vec<f64>,
    order: Vec<usize>,
    centroid: Vec<f64>,
    trials: Vec<f64>,
}

/// The result of a minimisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    /// The point found.
    pub x: Vec<f64>,
    /// The objective there.
    pub value: f64,
    /// Iterations used.
    pub iterations: usize,
}

fn clamp(x: &mut [f64], lower: &[f64], upper: &[f64]) {
    for ((v, &lo), &hi) in x.iter_mut().zip(lower).zip(upper) {
        *v = v.max(lo).min(hi);
    }
}

/// Σ `term(i)` for i in 0..n, added in the order Eigen's vectorised reduction uses with
/// two-lane packets: lanes `[0, 1]` and `[2, 3]` accumulate blocks of four, the lanes are
/// combined, a leftover pair is added, the two lanes are summed, then any last element.
fn eigen_sum(n: usize, term: impl Fn(usize) -> f64) -> f64 {
    if n < 2 {
        return (0..n).map(term).sum();
    }
    let (end, end2) = (n / 2 * 2, n / 4 * 4);
    let mut p0 = [term(0), term(1)];
    if end > 2 {
        let mut p1 = [term(2), term(3)];
        for i in (4..end2).step_by(4) {
            p0 = [p0[0] + term(i), p0[1] + term(i + 1)];
            p1 = [p1[0] + term(i + 2), p1[1] + term(i + 3)];
        }
        p0 = [p0[0] + p1[0], p0[1] + p1[1]];
        if end > end2 {
            p0 = [p0[0] + term(end2), p0[1] + term(end2 + 1)];
        }
    }
    let mut sum = p0[0] + p0[1];
    for i in end..n {
        sum += term(i);
    }
    sum
}

/// Population standard deviation.
fn std_dev(v: &[f64]) -> f64 {
    let n = v.len();
    let mean = eigen_sum(n, |i| v[i]) / n as f64;
    (eigen_sum(n, |i| (v[i] - mean) * (v[i] - mean)) / n as f64).sqrt()
}

/// Column sums of the `rows × n` row-major `simplex` into `out`, in Eigen's order.
fn column_sums(out: &mut [f64], simplex: &[f64], rows: usize) {
    let n = out.len();
    let row = |r: usize| &simplex[r * n..(r + 1) * n];
    let paired = n - n % 2;
    out.copy_from_slice(row(0));
    let end4 = (rows - 1) & !3;
    let mut r = 1;
    while r < end4 {
        let (a, b, c, d) = (row(r), row(r + 1), row(r + 2), row(r + 3));
        for k in 0..paired {
            out[k] += (a[k] + b[k]) + (c[k] + d[k]);
        }
        r += 4;
    }
    for r in r..rows {
        for (o, v) in out[..paired].iter_mut().zip(row(r)) {
            *o += v;
        }
    }
    for k in paired..n {
        out[k] = (1..rows).fold(simplex[k], |acc, r| acc + simplex[r * n + k]);
    }
}

/// `out = a + c·(b − a)`, clamped.
fn towards(out: &mut [f64], a: &[f64], b: &[f64], c: f64, lower: &[f64], upper: &[f64]) {
    for (i, o) in out.iter_mut().enumerate() {
        *o = a[i] + c * (b[i] - a[i]);
    }
    clamp(out, lower, upper);
}

/// How many points the objective evaluates per call.
pub const LANES: usize = 4;

/// Evaluate the vertices `idx` (at most [`LANES`]) of the `n`-column `simplex` in one call,
/// padding unused lanes with the first vertex.
fn eval_vertices(
    f: &mut impl FnMut([&[f64]; LANES]) -> [f64; LANES],
    simplex: &[f64],
    n: usize,
    idx: &[usize],
    values: &mut [f64],
) {
    let row = |r: usize| &simplex[r * n..(r + 1) * n];
    let points = std::array::from_fn(|j| row(idx[j.min(idx.len() - 1)]));
    let out = f(points);
    for (j, &r) in idx.iter().enumerate() {
        values[r] = out[j];
    }
}

/// Minimise from `x0` within `[lower, upper]` (infinite bounds allowed). `f` evaluates
/// [`LANES`] points per call: each iteration computes its reflection, expansion and both
/// contraction points up front (they depend only on the centroid and the worst vertex)
/// and evaluates them together, then takes the same decisions as one-at-a-time
/// Nelder–Mead would, so the path is unchanged.
pub fn minimize(
    mut f: impl FnMut([&[f64]; LANES]) -> [f64; LANES],
    x0: &[f64],
    lower: &[f64],
    upper: &[f64],
    settings: &Settings,
    ws: &mut Workspace,
) -> Minimum {
    let n = x0.len();
    let nf = n as f64;
    let (reflect, expand, contract, shrink) =
        (1.0, 1.0 + 2.0 / nf, 0.75 - 1.0 / (2.0 * nf), 1.0 - 1.0 / nf);
    let rows = n + 1;
    ws.simplex.clear();
    ws.values.clear();
    ws.values.resize(rows, 0.0);
    ws.centroid.resize(n, 0.0);
    ws.trials.resize(LANES * n, 0.0);
    let Workspace {
        simplex,
        values,
        order,
        centroid,
        trials,
    } = ws;
    for r in 0..rows {
        let start = simplex.len();
        simplex.extend_from_slice(x0);
        let row = &mut simplex[start..];
        clamp(row, lower, upper);
        if r < n {
            let v = row[r];
            row[r] = if v == 0.0 {
                settings.zero_step
            } else {
                v * (1.0 + settings.init_step)
            };
            row[r] = row[r].max(lower[r]).min(upper[r]);
        }
    }
    order.clear();
    order.extend(0..rows);
    for idx in order.chunks(LANES) {
        eval_vertices(&mut f, simplex, n, idx, values);
    }
    let mut best = 0usize;
    let mut it = 0usize;
    while it < settings.max_iter {
        // A fresh stable argsort each time: ties keep index order, as statsforecast's.
        order.clear();
        order.extend(0..rows);
        order.sort_by(|&a, &b| values[a].partial_cmp(&values[b]).unwrap_or(Ordering::Equal));
        best = order[0];
        if std_dev(values) < settings.tol_std {
            break;
        }
        it += 1;
        let worst = order[n];
        let second = order[n - 1];
        let (f_best, f_worst, f_second) = (values[best], values[worst], values[second]);
        column_sums(centroid, simplex, rows);
        let x_worst = worst * n..(worst + 1) * n;
        for (c, v) in centroid.iter_mut().zip(&simplex[x_worst.clone()]) {
            *c = (*c - v) / nf;
        }
        let (x_r, rest) = trials.split_at_mut(n);
        let (x_e, rest) = rest.split_at_mut(n);
        let (x_oc, x_ic) = rest.split_at_mut(n);
        towards(
            x_r,
            centroid,
            &simplex[x_worst.clone()],
            -reflect,
            lower,
            upper,
        );
        towards(x_e, centroid, x_r, expand, lower, upper);
        towards(x_oc, centroid, x_r, contract, lower, upper);
        towards(x_ic, centroid, x_r, -contract, lower, upper);
        let [f_r, f_e, f_oc, f_ic] = f([&*x_r, &*x_e, &*x_oc, &*x_ic]);
        let accept: Option<(&[f64], f64)> = if f_best <= f_r && f_r < f_second {
            Some((x_r, f_r))
        } else if f_r < f_best {
            Some(if f_e < f_r { (x_e, f_e) } else { (x_r, f_r) })
        } else if f_second <= f_r && f_r < f_worst {
            (f_oc <= f_r).then_some((x_oc, f_oc))
        } else {
            (f_ic < f_worst).then_some((x_ic, f_ic))
        };
        if let Some((x, v)) = accept {
            simplex[x_worst].copy_from_slice(x);
            values[worst] = v;
            continue;
        }
        // Shrink every other vertex towards the best one.
        let (b, _) = trials.split_at_mut(n);
        b.copy_from_slice(&simplex[best * n..(best + 1) * n]);
        order.retain(|&r| r != best);
        for &r in order.iter() {
            let row = &mut simplex[r * n..(r + 1) * n];
            for (v, b) in row.iter_mut().zip(b.iter()) {
                *v = b + shrink * (*v - b);
            }
            clamp(row, lower, upper);
        }
        for idx in order.chunks(LANES) {
            eval_vertices(&mut f, simplex, n, idx, values);
        }
    }
    Minimum {
        x: simplex[best * n..(best + 1) * n].to_vec(),
        value: values[best],
        iterations: it,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lanes(f: impl Fn(&[f64]) -> f64) -> impl FnMut([&[f64]; LANES]) -> [f64; LANES] {
        move |xs| xs.map(&f)
    }

    #[test]
    fn finds_quadratic_minimum_within_bounds() {
        let mut ws = Workspace::default();
        let s = Settings {
            tol_std: 1e-14,
            ..Settings::default()
        };
        let f = lanes(|x: &[f64]| (x[0] - 0.3).powi(2) + 10.0 * (x[1] + 2.0).powi(2));
        let inf = f64::INFINITY;
        let m = minimize(f, &[0.5, 1.0], &[0.0, -inf], &[1.0, inf], &s, &mut ws);
        assert!(
            (m.x[0] - 0.3).abs() < 1e-5 && (m.x[1] + 2.0).abs() < 1e-5,
            "{m:?}"
        );
        // The bound binds: minimum of (x - 2)^2 on [0, 1] is at 1.
        let m = minimize(
            lanes(|x| (x[0] - 2.0).powi(2)),
            &[0.5],
            &[0.0],
            &[1.0],
            &s,
            &mut ws,
        );
        assert!((m.x[0] - 1.0).abs() < 1e-9);
        assert!(m.iterations > 0 && m.iterations <= s.max_iter);
    }

    #[test]
    fn sums_in_eigen_order() {
        let v = [1e16, 1.0, -1e16, 1.0, 3.0, 0.5, 2.0];
        // Lanes [1e16 - 1e16 + 3, 1 + 1 + 0.5], summed, then the last element: 7.5; adding
        // left to right loses the first 1.0 to rounding and gives 6.5.
        assert_eq!(eigen_sum(7, |i| v[i]), 7.5);
        assert_eq!(v.iter().sum::<f64>(), 6.5);
        assert_eq!(eigen_sum(1, |i| v[i]), 1e16);
        let simplex = [
            1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0,
        ];
        let mut out = [0.0; 3];
        column_sums(&mut out, &simplex, 5);
        assert_eq!(out, [35.0, 40.0, 45.0]);
    }

    #[test]
    fn stops_at_once_on_a_flat_objective() {
        let mut ws = Workspace::default();
        let m = minimize(
            |_| [1.0; LANES],
            &[0.2, 0.0],
            &[0.0; 2],
            &[1.0; 2],
            &Settings::default(),
            &mut ws,
        );
        assert_eq!(m.iterations, 0);
        assert_eq!(m.x, vec![0.2 * 1.05, 0.0]);
        // Ordered before the stopping test: the best vertex is returned, not the first.
        let m = minimize(
            lanes(|x| (x[0] - 0.1).abs()),
            &[0.2],
            &[0.0],
            &[1.0],
            &Settings {
                tol_std: 1.0,
                ..Settings::default()
            },
            &mut ws,
        );
        assert_eq!(m.x, vec![0.2]);
    }
}
