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
    run_into(kind, p, level, slope, ring, y, &mut [])
}

/// [`run`], writing the one-step forecast `ŷ_t` of every observation into `fitted` (of
/// `y.len()` values; empty when not wanted). Same operations, so the same states.
pub fn run_into(
    kind: Kind,
    p: &Smoothing,
    level: f64,
    slope: f64,
    ring: &mut [f64],
    y: &[f64],
    fitted: &mut [f64],
) -> Pass {
    let [pass] = dispatch(kind, &[*p], [level], [slope], ring, y, fitted);
    pass
}

/// [`run`] for `L` parameter sets at once ("lanes"), interleaved in one sweep over `y`.
/// The loop is bound by the latency of each lane's chain of state updates, so independent
/// lanes come almost for free; every lane computes exactly what [`run`] would. `ring`
/// interleaves the lanes' seasonal states: `ring[k * L + j]` is state `k` of lane `j`.
pub fn run_lanes<const L: usize>(
    kind: Kind,
    p: &[Smoothing; L],
    level: [f64; L],
    slope: [f64; L],
    ring: &mut [f64],
    y: &[f64],
) -> [Pass; L] {
    dispatch(kind, p, level, slope, ring, y, &mut [])
}

/// The pass compiled for `kind`; `fitted` (one lane only; empty: not wanted) receives the
/// one-step forecasts.
fn dispatch<const L: usize>(
    kind: Kind,
    p: &[Smoothing; L],
    level: [f64; L],
    slope: [f64; L],
    ring: &mut [f64],
    y: &[f64],
    fitted: &mut [f64],
) -> [Pass; L] {
    macro_rules! go {
        ($e:expr, $t:expr, $s:expr) => {
            pass::<$e, $t, $s, L>(p, level, slope, ring, y, fitted)
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

/// `[f(0), f(1), …]`: one operation across all lanes.
#[inline(always)]
fn each<const L: usize>(f: impl FnMut(usize) -> f64) -> [f64; L] {
    std::array::from_fn(f)
}

#[inline(always)]
fn pass<const E: u8, const T: u8, const S: u8, const L: usize>(
    p: &[Smoothing; L],
    mut l: [f64; L],
    mut b: [f64; L],
    ring: &mut [f64],
    y: &[f64],
    fitted: &mut [f64],
) -> [Pass; L] {
    let alpha = p.map(|p| p.alpha);
    let gamma = p.map(|p| p.gamma);
    let phi = p.map(|p| p.phi);
    let beta_alpha = p.map(|p| p.beta / p.alpha);
    let damped_mult = phi.map(|phi| (phi - 1.0).abs() >= TOL);
    let m = ring.len() / L;
    let (mut sse, mut sse_units, mut log_f) = ([0.0; L], [0.0; L], [0.0; L]);
    let mut pos = 0usize;
    let want_fitted = L == 1 && fitted.len() == y.len();
    for (t, &yt) in y.iter().enumerate() {
        // Operation by operation across the lanes (each lane does exactly what `run` does).
        let s: [f64; L] = if S == N {
            [0.0; L]
        } else {
            each(|j| ring[pos * L + j])
        };
        // Level and growth carried forward: q = l + phi b (A), l b^phi (M).
        let phib: [f64; L] = match T {
            N => [0.0; L],
            A => each(|j| phi[j] * b[j]),
            _ => each(|j| {
                if damped_mult[j] {
                    b[j].powf(phi[j])
                } else {
                    b[j]
                }
            }),
        };
        let q: [f64; L] = match T {
            N => l,
            A => each(|j| l[j] + phib[j]),
            _ => each(|j| l[j] * phib[j]),
        };
        // One-step forecast and error.
        let f: [f64; L] = each(|j| {
            let f = if T == M && b[j] < 0.0 { f64::NAN } else { q[j] };
            match S {
                A => f + s[j],
                M => f * s[j],
                _ => f,
            }
        });
        if want_fitted {
            fitted[t] = f[0];
        }
        let e: [f64; L] = if E == A {
            each(|j| yt - f[j])
        } else {
            each(|j| (yt - f[j]) / if f[j].abs() < TOL { f[j] + TOL } else { f[j] })
        };
        sse = each(|j| sse[j] + e[j] * e[j]);
        if E == M {
            sse_units = each(|j| sse_units[j] + (yt - f[j]) * (yt - f[j]));
            log_f = each(|j| {
                let v = f[j].abs();
                log_f[j] + if v > 0.0 { v.ln() } else { (v + 1e-8).ln() }
            });
        }
        // State update.
        let deseason: [f64; L] = match S {
            N => [yt; L],
            A => each(|j| yt - s[j]),
            _ => each(|j| ratio(yt, s[j])),
        };
        let new_l: [f64; L] = each(|j| q[j] + alpha[j] * (deseason[j] - q[j]));
        if T != N {
            let r: [f64; L] = if T == A {
                each(|j| new_l[j] - l[j])
            } else {
                each(|j| ratio(new_l[j], l[j]))
            };
            b = each(|j| phib[j] + beta_alpha[j] * (r[j] - phib[j]));
        }
        l = new_l;
        if S != N {
            let t: [f64; L] = if S == A {
                each(|j| yt - q[j])
            } else {
                each(|j| ratio(yt, q[j]))
            };
            for j in 0..L {
                ring[pos * L + j] = s[j] + gamma[j] * (t[j] - s[j]);
            }
            pos += 1;
            if pos == m {
                pos = 0;
            }
        }
    }
    let n = y.len() as f64;
    std::array::from_fn(|j| {
        let mut lik = if sse[j] > 0.0 {
            n * sse[j].ln()
        } else {
            n * (sse[j] + 1e-8).ln()
        };
        if E == M {
            lik += 2.0 * log_f[j];
        }
        Pass {
            lik,
            sse: sse[j],
            sse_units: if E == A { sse[j] } else { sse_units[j] },
            level: l[j],
            slope: if T == N { 0.0 } else { b[j] },
        }
    })
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
    fn lanes_equal_single_runs() {
        let y: Vec<f64> = (0..50)
            .map(|t| 5.0 + f64::from(t % 7) + f64::from(t % 3))
            .collect();
        for code in [(Comp::A, Comp::A, Comp::A), (Comp::M, Comp::A, Comp::M)] {
            let k = Kind::new(code.0, code.1, code.2, true);
            let ps = [sm(0.3, 0.1, 0.1, 0.9), sm(0.1, 0.05, 0.2, 0.95)];
            let seeds = [[1.0, 1.2, 0.8], [0.9, 1.1, 1.0]];
            let mut ring = [0.0; 6];
            for (k, chunk) in ring.chunks_mut(2).enumerate() {
                chunk.copy_from_slice(&[seeds[0][k], seeds[1][k]]);
            }
            let both = run_lanes(k, &ps, [6.0, 7.0], [0.1, 0.0], &mut ring, &y);
            for j in 0..2 {
                let mut one = seeds[j];
                let single = run(k, &ps[j], [6.0, 7.0][j], [0.1, 0.0][j], &mut one, &y);
                assert_eq!(both[j], single);
                assert_eq!([ring[j], ring[2 + j], ring[4 + j]], one);
            }
        }
    }

    #[test]
    fn multiplicative_trend_with_negative_growth_breaks_down() {
        let k = Kind::new(Comp::M, Comp::M, Comp::N, false);
        let p = run(k, &sm(0.5, 0.1, 0.0, 1.0), 10.0, -1.0, &mut [], &[5.0, 6.0]);
        assert!(p.lik.is_nan());
    }
}
