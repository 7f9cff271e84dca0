//! Where the optimiser starts, chosen the way statsforecast (after R's `forecast::ets`)
//! chooses it, because the likelihood has local optima and the start decides which one is
//! found:
//!
//! * initial states: seasonal indices from a classical decomposition (centred moving
//!   average; at least three seasons of data) or, for shorter series, from a regression on
//!   a line plus one Fourier pair; level and growth from a line fitted to the first
//!   `max(10, 2m)` seasonally adjusted values;
//! * smoothing parameters: fixed fractions of their ranges, and the bounds the optimiser
//!   keeps them in. statsforecast tightens the upper bounds of beta (≤ alpha's start) and
//!   gamma (≤ 1 − alpha's start) on a bounds array shared by all models of one search, so a
//!   model's bounds depend on the models tried before it; [`Bounds`] carries that along.

use super::spec::{Comp, Kind};
use std::f64::consts::PI;

/// Lower bounds of alpha, beta, gamma, phi.
pub const LOWER: [f64; 4] = [1e-4, 1e-4, 1e-4, 0.8];
/// Upper bounds of alpha, beta, gamma, phi (before any tightening).
pub const UPPER: [f64; 4] = [0.9999, 0.9999, 0.9999, 0.98];

/// The upper bounds of beta and gamma as they tighten over a model search.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    beta_upper: f64,
    gamma_upper: f64,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            beta_upper: UPPER[1],
            gamma_upper: UPPER[2],
        }
    }
}

/// The optimised smoothing parameters of one model: start values and box bounds, in the
/// order alpha, beta (with a trend), gamma (with a season), phi (when damped).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Start {
    /// Start values.
    pub x0: Vec<f64>,
    /// Lower bounds.
    pub lower: Vec<f64>,
    /// Upper bounds.
    pub upper: Vec<f64>,
}

impl Bounds {
    /// Start values for `kind` with season length `m` (1 without a season), tightening the
    /// shared bounds first.
    pub fn start(&mut self, kind: Kind, m: usize) -> Start {
        let mut s = Start::default();
        let mut push = |x: f64, lo: f64, hi: f64| {
            s.x0.push(x);
            s.lower.push(lo);
            s.upper.push(hi);
        };
        let alpha = LOWER[0] + 0.2 * (UPPER[0] - LOWER[0]) / m as f64;
        push(alpha, LOWER[0], UPPER[0]);
        if kind.trend != Comp::N {
            self.beta_upper = self.beta_upper.min(alpha);
            let mut beta = LOWER[1] + 0.1 * (self.beta_upper - LOWER[1]);
            if !(0.0..=alpha).contains(&beta) {
                beta = alpha - 1e-3;
            }
            push(beta, LOWER[1], self.beta_upper);
        }
        if kind.season != Comp::N {
            self.gamma_upper = self.gamma_upper.min(1.0 - alpha);
            let mut gamma = LOWER[2] + 0.05 * (self.gamma_upper - LOWER[2]);
            if !(0.0..=1.0 - alpha).contains(&gamma) {
                gamma = 1.0 - alpha - 1e-3;
            }
            push(gamma, LOWER[2], self.gamma_upper);
        }
        if kind.damped {
            push(LOWER[3] + 0.99 * (UPPER[3] - LOWER[3]), LOWER[3], UPPER[3]);
        }
        s
    }
}

/// Initial states `[level, growth (with a trend), m − 1 seasonal states (with a season)]`;
/// the last seasonal state is implied (the states sum to 0, or to m when multiplicative).
/// `None` when the data cannot start this model (multiplicative season on data that are
/// not strictly positive, or fewer than 4 observations for a seasonal model).
pub fn states(y: &[f64], m: usize, trend: Comp, season: Comp) -> Option<Vec<f64>> {
    let n = y.len();
    let mut out = vec![0.0];
    let (adjusted, m) = if season == Comp::N {
        (y.to_vec(), 1)
    } else {
        let seasonal = seasonal_series(y, m, season)?;
        let mut seeds: Vec<f64> = seasonal[1..m].iter().rev().copied().collect();
        let adjusted: Vec<f64> = if season == Comp::A {
            y.iter().zip(&seasonal).map(|(v, s)| v - s).collect()
        } else {
            seeds.iter_mut().for_each(|s| *s = s.max(1e-2));
            if seeds.iter().sum::<f64>() > m as f64 {
                let total: f64 = seeds.iter().map(|s| s + 1e-2).sum();
                seeds.iter_mut().for_each(|s| *s /= total);
            }
            y.iter()
                .zip(&seasonal)
                .map(|(v, s)| v / s.max(1e-2))
                .collect()
        };
        out.extend(seeds);
        (adjusted, m)
    };
    let head = &adjusted[..(2 * m).max(10).min(n)];
    match trend {
        Comp::N => out[0] = head.iter().sum::<f64>() / head.len() as f64,
        Comp::A => {
            let (mut l, mut b) = line(head);
            if (l + b).abs() < 1e-8 {
                l *= 1.0 + 1e-3;
                b *= 1.0 - 1e-3;
            }
            out[0] = l;
            out.insert(1, b);
        }
        Comp::M => {
            let (l, b) = line(head);
            let mut l0 = l + b;
            if l0.abs() < 1e-8 {
                l0 = 1e-7;
            }
            let mut b0 = (l + 2.0 * b) / l0;
            l0 /= if b0.abs() <= 1e-8 { 1e-8 } else { b0 };
            if b0.abs() > 1e10 {
                b0 = b0.signum() * 1e10;
            }
            if l0 < 1e-8 || b0 < 1e-8 {
                l0 = head[0].max(1e-3);
                let div = if head[0].abs() <= 1e-8 { 1e-8 } else { head[0] };
                b0 = (head.get(1).copied().unwrap_or(head[0]) / div).max(1e-3);
            }
            out[0] = l0;
            out.insert(1, b0);
        }
    }
    Some(out)
}

/// The seasonal component of `y` as a full-length series: classical decomposition with at
/// least three seasons of data, else the residual from a line plus one Fourier pair.
fn seasonal_series(y: &[f64], m: usize, season: Comp) -> Option<Vec<f64>> {
    let n = y.len();
    let mult = season == Comp::M;
    if n < 4 || (mult && y.iter().any(|&v| v <= 0.0)) {
        return None;
    }
    if n >= 3 * m {
        return Some(decompose(y, m, mult));
    }
    let t: Vec<f64> = (1..=n).map(|t| t as f64).collect();
    let w = 2.0 * PI / m as f64;
    let mut cols = vec![vec![1.0; n], t.clone()];
    if m > 2 {
        cols.push(t.iter().map(|t| (w * t).sin()).collect());
    }
    cols.push(t.iter().map(|t| (w * t).cos()).collect());
    let c = least_squares(cols, y)?;
    Some(
        y.iter()
            .zip(&t)
            .map(|(v, t)| {
                let line = c[0] + c[1] * t;
                if mult {
                    v / line
                } else {
                    v - line
                }
            })
            .collect(),
    )
}

/// Classical decomposition's seasonal series: detrend by a centred moving average of
/// width m (2×m for even m), average per season position, normalise to mean 0 (or 1).
fn decompose(y: &[f64], m: usize, mult: bool) -> Vec<f64> {
    let n = y.len();
    let half = m / 2;
    let mut sums = vec![0.0; m];
    let mut counts = vec![0usize; m];
    for t in half..n - half {
        let trend = if m % 2 == 1 {
            y[t - half..=t + half].iter().sum::<f64>() / m as f64
        } else {
            (0.5 * y[t - half] + y[t - half + 1..t + half].iter().sum::<f64>() + 0.5 * y[t + half])
                / m as f64
        };
        sums[t % m] += if mult { y[t] / trend } else { y[t] - trend };
        counts[t % m] += 1;
    }
    let mut avg: Vec<f64> = sums
        .iter()
        .zip(&counts)
        .map(|(s, &c)| s / c as f64)
        .collect();
    let mean = avg.iter().sum::<f64>() / m as f64;
    avg.iter_mut()
        .for_each(|a| *a = if mult { *a / mean } else { *a - mean });
    (0..n).map(|t| avg[t % m]).collect()
}

/// Intercept and slope of the least-squares line through `(1, y_0), (2, y_1), ...`.
fn line(y: &[f64]) -> (f64, f64) {
    let n = y.len() as f64;
    let t_mean = (n + 1.0) / 2.0;
    let y_mean = y.iter().sum::<f64>() / n;
    let (mut sty, mut stt) = (0.0, 0.0);
    for (i, v) in y.iter().enumerate() {
        let dt = (i + 1) as f64 - t_mean;
        sty += dt * (v - y_mean);
        stt += dt * dt;
    }
    let b = if stt > 0.0 { sty / stt } else { 0.0 };
    (y_mean - b * t_mean, b)
}

/// Least squares by modified Gram–Schmidt QR; `None` if the columns are dependent.
fn least_squares(mut cols: Vec<Vec<f64>>, y: &[f64]) -> Option<Vec<f64>> {
    let k = cols.len();
    let mut r = vec![0.0; k * k];
    for j in 0..k {
        for i in 0..j {
            let d: f64 = cols[i].iter().zip(&cols[j]).map(|(a, b)| a * b).sum();
            r[i * k + j] = d;
            let (qi, qj) = (cols[i].clone(), &mut cols[j]);
            qj.iter_mut().zip(&qi).for_each(|(v, q)| *v -= d * q);
        }
        let norm = cols[j].iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm < 1e-10 {
            return None;
        }
        r[j * k + j] = norm;
        cols[j].iter_mut().for_each(|v| *v /= norm);
    }
    let qty: Vec<f64> = cols
        .iter()
        .map(|q| q.iter().zip(y).map(|(a, b)| a * b).sum())
        .collect();
    let mut c = vec![0.0; k];
    for j in (0..k).rev() {
        let s: f64 = (j + 1..k).map(|i| r[j * k + i] * c[i]).sum();
        c[j] = (qty[j] - s) / r[j * k + j];
    }
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() < tol
    }

    #[test]
    fn start_values_and_shared_bounds() {
        let mut b = Bounds::default();
        let ann = b.start(Kind::new(Comp::A, Comp::N, Comp::N, false), 1);
        assert!(close(ann.x0[0], 0.20006, 1e-12));
        let aadn = b.start(Kind::new(Comp::A, Comp::A, Comp::N, true), 1);
        assert!(close(aadn.upper[1], 0.20006, 1e-12));
        assert!(close(aadn.x0[1], 1e-4 + 0.1 * (0.20006 - 1e-4), 1e-12));
        assert!(close(aadn.x0[2], 0.9782, 1e-12));
        let aaa = b.start(Kind::new(Comp::A, Comp::A, Comp::A, false), 7);
        let alpha7 = 1e-4 + 0.2 * 0.9998 / 7.0;
        assert!(close(aaa.upper[1], alpha7, 1e-12));
        assert!(close(aaa.upper[2], 1.0 - alpha7, 1e-12));
        // The tightening sticks for later non-seasonal models of the same search.
        let man = b.start(Kind::new(Comp::M, Comp::A, Comp::N, false), 1);
        assert!(close(man.upper[1], alpha7, 1e-12));
    }

    #[test]
    fn regressions() {
        let (l, b) = line(&[3.0, 5.0, 7.0]);
        assert!(close(l, 1.0, 1e-12) && close(b, 2.0, 1e-12));
        let t: Vec<f64> = (1..=6).map(f64::from).collect();
        let y: Vec<f64> = t.iter().map(|t| 1.0 + 2.0 * t + 3.0 * t * t).collect();
        let sq: Vec<f64> = t.iter().map(|t| t * t).collect();
        let c = least_squares(vec![vec![1.0; 6], t, sq], &y).unwrap();
        assert!(close(c[0], 1.0, 1e-9) && close(c[1], 2.0, 1e-9) && close(c[2], 3.0, 1e-9));
        assert!(least_squares(vec![vec![1.0; 3], vec![2.0; 3]], &[1.0, 2.0, 3.0]).is_none());
    }

    #[test]
    fn decomposition_recovers_a_clean_pattern() {
        let pattern = [3.0, -1.0, -2.0, 0.0];
        let y: Vec<f64> = (0..16)
            .map(|t| 10.0 + 0.5 * t as f64 + pattern[t % 4])
            .collect();
        let s = decompose(&y, 4, false);
        for t in 0..16 {
            assert!(close(s[t], pattern[t % 4], 1e-12), "{t}: {}", s[t]);
        }
        let st = states(&y, 4, Comp::A, Comp::A).unwrap();
        // level, growth, then seasons for positions 3, 2, 1 (position 0 is implied).
        assert!(close(st[1], 0.5, 1e-12) && close(st[0], 9.5, 1e-12));
        for (a, b) in st[2..].iter().zip([0.0, -2.0, -1.0]) {
            assert!(close(*a, b, 1e-12));
        }
        assert!(states(&[1.0, 0.0, 2.0, 3.0, 1.0], 2, Comp::N, Comp::M).is_none());
        assert_eq!(states(&[2.0, 4.0], 1, Comp::N, Comp::N).unwrap(), vec![3.0]);
    }
}
