//! The bounded Nelder–Mead minimiser of statsforecast's compiled core (used by its theta
//! and ETS models), reproduced step for step so fitted parameters agree bit for bit.
//!
//! The variant (verified against statsforecast 2.1.1's `_lib.theta.optimize` on hundreds of
//! problems, equal in every bit of the result, value, iteration count and final simplex):
//! * start from `x0` clamped to the bounds; vertex `i < n` multiplies coordinate `i` by
//!   1.05 (or sets it to 1e-4 when 0), clamped; the last vertex is `x0`;
//! * adaptive coefficients (Gao & Han 2012): reflection 1, expansion `1 + 2/n`,
//!   contraction `0.75 - 1/(2n)`, shrink `1 - 1/n`; every trial point is clamped;
//! * stop when the population standard deviation of the vertex values is below 1e-4, or
//!   after 1000 iterations;
//! * vertices are ranked by a stable sort; outside contraction is accepted when not worse
//!   than the reflected point, inside contraction when better than the worst vertex;
//!   a shrink moves every vertex but the best towards it;
//! * the result is the first best vertex of the final simplex.

/// Outcome of a minimisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    /// The best vertex.
    pub x: Vec<f64>,
    /// The objective there.
    pub value: f64,
    /// Iterations run (statsforecast's `nit`).
    pub iterations: usize,
}

use super::sums::eigen_sum;

const INIT_STEP: f64 = 0.05;
const ZERO_PERT: f64 = 1e-4;
const MAX_ITER: usize = 1000;
const TOL_STD: f64 = 1e-4;

fn clamp(x: &mut [f64], lower: &[f64], upper: &[f64]) {
    for ((v, &lo), &hi) in x.iter_mut().zip(lower).zip(upper) {
        // Eigen's cwiseMax(lower).cwiseMin(upper).
        *v = v.max(lo).min(hi);
    }
}

fn std_dev(f: &[f64]) -> f64 {
    let mean = eigen_sum(f) / f.len() as f64;
    let sq: Vec<f64> = f.iter().map(|v| (v - mean) * (v - mean)).collect();
    (eigen_sum(&sq) / f.len() as f64).sqrt()
}

/// Stable ranking of the vertex values (std::sort on so few elements is an insertion sort).
fn ranking(f: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..f.len()).collect();
    idx.sort_by(|&a, &b| {
        if f[a] < f[b] {
            std::cmp::Ordering::Less
        } else if f[b] < f[a] {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
    idx
}

/// Minimise `f` over the box `[lower, upper]` from `x0` (see the module docs).
pub fn minimize(
    mut f: impl FnMut(&[f64]) -> f64,
    x0: &[f64],
    lower: &[f64],
    upper: &[f64],
) -> Minimum {
    let n = x0.len();
    let nf = n as f64;
    let (reflect, expand) = (1.0, 1.0 + 2.0 / nf);
    let (contract, shrink) = (0.75 - 1.0 / (2.0 * nf), 1.0 - 1.0 / nf);
    let mut start = x0.to_vec();
    clamp(&mut start, lower, upper);
    let mut simplex = vec![start; n + 1];
    for (i, v) in simplex.iter_mut().take(n).enumerate() {
        let x = v[i];
        let moved = if x == 0.0 {
            ZERO_PERT
        } else {
            x * (1.0 + INIT_STEP)
        };
        v[i] = moved.max(lower[i]).min(upper[i]);
    }
    let mut values: Vec<f64> = simplex.iter().map(|v| f(v)).collect();
    let trial = |base: &[f64], dir: &[f64], coef: f64| -> Vec<f64> {
        let mut p: Vec<f64> = base.iter().zip(dir).map(|(b, d)| b + coef * d).collect();
        clamp(&mut p, lower, upper);
        p
    };
    let mut it = 0;
    while it < MAX_ITER {
        if std_dev(&values) < TOL_STD {
            break;
        }
        it += 1;
        let order = ranking(&values);
        let (best, worst, second) = (order[0], order[n], order[n - 1]);
        // Centroid of all vertices but the worst: column sums minus the worst, over n.
        let mut centroid = simplex[0].clone();
        for v in &simplex[1..] {
            centroid.iter_mut().zip(v).for_each(|(c, x)| *c += x);
        }
        for (c, w) in centroid.iter_mut().zip(&simplex[worst]) {
            *c = (*c - w) / nf;
        }
        let away: Vec<f64> = centroid
            .iter()
            .zip(&simplex[worst])
            .map(|(c, w)| c - w)
            .collect();
        let xr = trial(&centroid, &away, reflect);
        let fr = f(&xr);
        if values[best] <= fr && fr < values[second] {
            (simplex[worst], values[worst]) = (xr, fr);
            continue;
        }
        let towards: Vec<f64> = xr.iter().zip(&centroid).map(|(r, c)| r - c).collect();
        if fr < values[best] {
            let xe = trial(&centroid, &towards, expand);
            let fe = f(&xe);
            (simplex[worst], values[worst]) = if fe < fr { (xe, fe) } else { (xr, fr) };
            continue;
        }
        if values[second] <= fr && fr < values[worst] {
            let xc = trial(&centroid, &towards, contract);
            let fc = f(&xc);
            if fc <= fr {
                (simplex[worst], values[worst]) = (xc, fc);
                continue;
            }
        } else {
            let xc = trial(&centroid, &towards, -contract);
            let fc = f(&xc);
            if fc < values[worst] {
                (simplex[worst], values[worst]) = (xc, fc);
                continue;
            }
        }
        let anchor = simplex[best].clone();
        for j in (0..=n).filter(|&j| j != best) {
            let diff: Vec<f64> = simplex[j].iter().zip(&anchor).map(|(x, a)| x - a).collect();
            simplex[j] = trial(&anchor, &diff, shrink);
            values[j] = f(&simplex[j]);
        }
    }
    let best = ranking(&values)[0];
    Minimum {
        x: simplex[best].clone(),
        value: values[best],
        iterations: it + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimises_a_bounded_quadratic() {
        let f = |x: &[f64]| (x[0] - 0.3).powi(2) + (x[1] + 2.0).powi(2);
        let m = minimize(f, &[1.0, 1.0], &[0.0, -1.0], &[2.0, 2.0]);
        assert!((m.x[0] - 0.3).abs() < 0.05, "{m:?}");
        assert_eq!(m.x[1], -1.0);
        assert!(m.iterations > 1 && m.iterations <= MAX_ITER + 1);
    }
}
