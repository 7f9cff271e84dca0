//! The ETS state-space recursion over a series (Hyndman et al. 2008, in the form of R's
//! `forecast::ets` C code that statsforecast ports): one-step forecast, error, state update,
//! and the "likelihood" `n·ln(Σe²) + 2·Σln|ŷ|` (the last term for multiplicative errors).
//!
//! This is the optimiser's inner loop, so it allocates nothing: the seasonal states live
//! in a caller-owned ring buffer, and the loop is compiled once per (error, trend, season)
//! combination so the component branches disappear.

use super::spec::{Comp, Kind};

/// Guard against division by (near) zero, as in statsforecast.
pub const TOL: f64 = 1e-10;
/// Value standing in for a division by (near) zero.
const HUGE: f64 = 1e10;

/// Smoothing parameters as the recursion uses them: `beta = 0` without a trend,
/// `gamma = 0` without a season and `phi = 1` without damping.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Smoothing {
    /// Level smoothing.
    pub alpha: f64,
    /// Trend smoothing.
    pub beta: f64,
    /// Seasonal smoothing.
    pub gamma: f64,
    /// Trend damping.
    pub phi: f64,
}

/// What one pass over the series yields.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pass {
    /// `n·ln(Σe²) (+ 2·Σln|ŷ|)`; NaN when the recursion broke down.
    pub lik: f64,
    /// Σe² of the model errors (relative errors for multiplicative error models).
    pub sse: f64,
    /// Σ(y - ŷ)² in the units of the data.
    pub sse_units: f64,
    /// The level after the last observation.
    pub level: f64,
    /// The trend (growth) after the last observation (0 without a trend).
    pub slope: f64,
}

const N: u8 = 0;
const A: u8 = 1;
const M: u8 = 2;

/// Run the recursion over `y` from the initial `level` and `slope`. `ring` holds the `m`
/// initial seasonal states in order of use (`ring[k]` seasonalises step `k`; empty without
/// a season); on return `ring[(n + k) % m]` seasonalises forecast step `k`.
pub fn run(kind: Kind, p: &Smoothing, level: f64, slope: f64, ring: &mut [f64], y: &[f64]) -> Pass {
    macro_rules! go {
        ($e:expr, $t:expr, $s:expr) => {
            pass::<$e, $t, $s>(p, level, slope, ring, y)
        };
    }
    use Comp as C;
    match (kind.error, kind.trend, kind.season) {
        (C::A | C::N, C::N, C::N) => go!(A, N, N),
        (C::A | C::N, C::N, C::A) => go!(A, N, A),
        (C::A | C::N, C::N, C::M) => go!(A, N, M),
        (C::A | C::N, C::A, C::N) => go!(A, A, N),
        (C::A | C::N, C::A, C::A) => go!(A, A, A),
        (C::A | C::N, C::A, C::M) => go!(A, A, M),
        (C::A | C::N, C::M, C::N) => go!(A, M, N),
        (C::A | C::N, C::M, C::A) => go!(A, M, A),
        (C::A | C::N, C::M, C::M) => go!(A, M, M),
        (C::M, C::N, C::N) => go!(M, N, N),
        (C::M, C::N, C::A) => go!(M, N, A),
        (C::M, C::N, C::M) => go!(M, N, M),
        (C::M, C::A, C::N) => go!(M, A, N),
        (C::M, C::A, C::A) => go!(M, A, A),
        (C::M, C::A, C::M) => go!(M, A, M),
        (C::M, C::M, C::N) => go!(M, M, N),
        (C::M, C::M, C::A) => go!(M, M, A),
        (C::M, C::M, C::M) => go!(M, M, M),
    }
}

/// `y / d`, or [`HUGE`] when `d` is (near) zero.
#[inline(always)]
fn ratio(y: f64, d: f64) -> f64 {
    if d.abs() < TOL {
        HUGE
    } else {
        y / d
    }
}

#[inline(always)]
fn pass<const E: u8, const T: u8, const S: u8>(
    p: &Smoothing,
    mut l: f64,
    mut b: f64,
    ring: &mut [f64],
    y: &[f64],
) -> Pass {
    let (alpha, gamma, phi) = (p.alpha, p.gamma, p.phi);
    let beta_alpha = p.beta / p.alpha;
    let m = ring.len();
    let damped_mult = (phi - 1.0).abs() >= TOL;
    let (mut sse, mut sse_units, mut log_f) = (0.0, 0.0, 0.0);
    let mut pos = 0usize;
    for &yt in y {
        let s = if S == N { 0.0 } else { ring[pos] };
        // Level and growth carried forward: q = l + phi b (A), l b^phi (M).
        let (q, phib) = match T {
            N => (l, 0.0),
            A => {
                let phib = phi * b;
                (l + phib, phib)
            }
            _ => {
                let phib = if damped_mult { b.powf(phi) } else { b };
                (l * phib, phib)
            }
        };
        // One-step forecast.
        let mut f = if T == M && b < 0.0 { f64::NAN } else { q };
        match S {
            A => f += s,
            M => f *= s,
            _ => {}
        }
        let e = if E == A {
            yt - f
        } else {
            let f0 = if f.abs() < TOL { f + TOL } else { f };
            (yt - f) / f0
        };
        sse += e * e;
        if E == M {
            let d = yt - f;
            sse_units += d * d;
            let v = f.abs();
            log_f += if v > 0.0 { v.ln() } else { (v + 1e-8).ln() };
        }
        // State update.
        let deseason = match S {
            N => yt,
            A => yt - s,
            _ => ratio(yt, s),
        };
        let old_l = l;
        l = q + alpha * (deseason - q);
        if T != N {
            let r = if T == A { l - old_l } else { ratio(l, old_l) };
            b = phib + beta_alpha * (r - phib);
        }
        if S != N {
            let t = if S == A { yt - q } else { ratio(yt, q) };
            ring[pos] = s + gamma * (t - s);
            pos += 1;
            if pos == m {
                pos = 0;
            }
        }
    }
    if E == A {
        sse_units = sse;
    }
    let n = y.len() as f64;
    let mut lik = if sse > 0.0 {
        n * sse.ln()
    } else {
        n * (sse + 1e-8).ln()
    };
    if E == M {
        lik += 2.0 * log_f;
    }
    Pass {
        lik,
        sse,
        sse_units,
        level: l,
        slope: if T == N { 0.0 } else { b },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sm(alpha: f64, beta: f64, gamma: f64, phi: f64) -> Smoothing {
        Smoothing {
            alpha,
            beta,
            gamma,
            phi,
        }
    }

    #[test]
    fn ann_is_ses() {
        let y = [3.0, 0.0, 5.0, 2.0];
        let k = Kind::new(Comp::A, Comp::N, Comp::N, false);
        let p = run(k, &sm(0.1, 0.0, 0.0, 1.0), 3.0, 0.0, &mut [], &y);
        // SES from level 3: errors 0, -3, 2.3, -0.93; final level 2.837.
        assert!((p.level - 2.837).abs() < 1e-12);
        let sse: f64 = 9.0 + 2.3f64.powi(2) + 0.93f64.powi(2);
        assert!((p.sse - sse).abs() < 1e-12);
        assert!((p.lik - 4.0 * sse.ln()).abs() < 1e-12);
        assert_eq!(p.sse_units, p.sse);
    }

    #[test]
    fn additive_trend_and_season_by_hand() {
        // AAA, m = 2: level 10, slope 1, seasons (+1 then -1) fit y exactly, so nothing moves.
        let y = [12.0, 11.0, 14.0, 13.0];
        let k = Kind::new(Comp::A, Comp::A, Comp::A, false);
        let mut ring = [1.0, -1.0];
        let p = run(k, &sm(0.5, 0.1, 0.2, 1.0), 10.0, 1.0, &mut ring, &y);
        assert!(p.sse < 1e-20);
        assert!((p.level - 14.0).abs() < 1e-12 && (p.slope - 1.0).abs() < 1e-12);
        assert_eq!(ring, [1.0, -1.0]);
    }

    #[test]
    fn multiplicative_error_uses_relative_errors() {
        let y = [10.0, 20.0];
        let k = Kind::new(Comp::M, Comp::N, Comp::N, false);
        let p = run(k, &sm(0.5, 0.0, 0.0, 1.0), 10.0, 0.0, &mut [], &y);
        // e = 0, then (20 - 10) / 10 = 1; lik = 2 ln 1 + 2 (ln 10 + ln 10).
        assert!((p.sse - 1.0).abs() < 1e-12);
        assert!((p.sse_units - 100.0).abs() < 1e-12);
        assert!((p.lik - 4.0 * 10f64.ln()).abs() < 1e-12);
        assert!((p.level - 15.0).abs() < 1e-12);
    }

    #[test]
    fn multiplicative_trend_with_negative_growth_breaks_down() {
        let k = Kind::new(Comp::M, Comp::M, Comp::N, false);
        let p = run(k, &sm(0.5, 0.1, 0.0, 1.0), 10.0, -1.0, &mut [], &[5.0, 6.0]);
        assert!(p.lik.is_nan());
    }
}
