//! Simulate a fitted ETS model forward: future sample paths drawn from the state-space model
//! itself (Hyndman et al. 2008, ch. 6.1), with Gaussian innovations `ε ~ N(0, σ²)`.
//!
//! Each step forecasts one step from the current states, draws `y = ŷ + ε` (additive
//! error) or `y = ŷ·(1 + ε)` (multiplicative error, `ε` relative), and updates the states
//! with the same equations as the likelihood recursion (`recursion.rs`), so a path is a
//! realisation of exactly the model that was fitted. Deterministic for a given generator.

use super::recursion::TOL;
use super::spec::Comp;
use super::state::EtsState;
use crate::ml::rng::Rng;

/// Value standing in for a division by (near) zero (as in the recursion).
const HUGE: f64 = 1e10;

fn ratio(y: f64, d: f64) -> f64 {
    if d.abs() < TOL {
        HUGE
    } else {
        y / d
    }
}

/// Standard normal draws from a [`Rng`] (Box–Muller, both variates used).
#[derive(Debug)]
pub struct Normal {
    rng: Rng,
    spare: Option<f64>,
}

impl Normal {
    /// Normal draws from `rng`.
    pub fn new(rng: Rng) -> Self {
        Normal { rng, spare: None }
    }

    /// The next N(0, 1) variate.
    pub fn draw(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        // 1 - U is in (0, 1], so the logarithm is finite.
        let r = (-2.0 * (1.0 - self.rng.uniform()).ln()).sqrt();
        let angle = std::f64::consts::TAU * self.rng.uniform();
        self.spare = Some(r * angle.sin());
        r * angle.cos()
    }
}

/// Write `n_paths` simulated paths of `h` steps into `out` (`out[p * h + k]` = path `p`,
/// step `k + 1`), continuing from the fitted states of `state`.
///
/// A path whose multiplicative trend turns negative yields NaN from there on (as the point
/// forecast does); `sigma2 = 0` reproduces the point forecast on every path.
pub fn simulate_into(
    state: &EtsState,
    h: usize,
    n_paths: usize,
    normal: &mut Normal,
    out: &mut [f64],
) {
    debug_assert_eq!(out.len(), h * n_paths);
    let kind = state.kind;
    let p = &state.smoothing;
    let sigma = state.sigma2.max(0.0).sqrt();
    let damped_mult = (p.phi - 1.0).abs() >= TOL;
    let beta_alpha = if p.alpha > 0.0 { p.beta / p.alpha } else { 0.0 };
    let m = state.season.len();
    let mut ring = state.season.clone();
    for path in out.chunks_mut(h.max(1)).take(n_paths) {
        let (mut l, mut b) = (state.level, state.slope);
        ring.copy_from_slice(&state.season);
        for (k, o) in path.iter_mut().enumerate() {
            let s = if m == 0 { 0.0 } else { ring[k % m] };
            let phib = match kind.trend {
                Comp::N => 0.0,
                Comp::A => p.phi * b,
                Comp::M if damped_mult => b.powf(p.phi),
                Comp::M => b,
            };
            let q = match kind.trend {
                Comp::N => l,
                Comp::A => l + phib,
                Comp::M => l * phib,
            };
            let mut f = if kind.trend == Comp::M && b < 0.0 {
                f64::NAN
            } else {
                q
            };
            match kind.season {
                Comp::A => f += s,
                Comp::M => f *= s,
                Comp::N => {}
            }
            let e = sigma * normal.draw();
            let y = if kind.error == Comp::M {
                f * (1.0 + e)
            } else {
                f + e
            };
            *o = y;
            let deseason = match kind.season {
                Comp::N => y,
                Comp::A => y - s,
                Comp::M => ratio(y, s),
            };
            let new_l = q + p.alpha * (deseason - q);
            match kind.trend {
                Comp::N => {}
                Comp::A => b = phib + beta_alpha * ((new_l - l) - phib),
                Comp::M => b = phib + beta_alpha * (ratio(new_l, l) - phib),
            }
            l = new_l;
            if m > 0 {
                let t = match kind.season {
                    Comp::M => ratio(y, q),
                    _ => y - q,
                };
                ring[k % m] = s + p.gamma * (t - s);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::recursion::Smoothing;
    use super::super::spec::Kind;
    use super::*;

    fn state(code: (Comp, Comp, Comp), sigma2: f64) -> EtsState {
        let season = if code.2 == Comp::M {
            vec![0.8, 1.2, 1.0]
        } else if code.2 == Comp::A {
            vec![-2.0, 2.0, 0.0]
        } else {
            vec![]
        };
        EtsState {
            kind: Kind::new(code.0, code.1, code.2, false),
            smoothing: Smoothing {
                alpha: 0.3,
                beta: 0.05,
                gamma: 0.1,
                phi: 1.0,
            },
            level: 20.0,
            slope: if code.1 == Comp::M { 1.01 } else { 0.5 },
            season,
            sigma2,
        }
    }

    #[test]
    fn zero_variance_paths_are_the_point_forecast() {
        for code in [
            (Comp::A, Comp::A, Comp::A),
            (Comp::M, Comp::A, Comp::M),
            (Comp::M, Comp::M, Comp::N),
        ] {
            let s = state(code, 0.0);
            let mut f = [0.0; 8];
            s.forecast_into(&mut f);
            let mut out = vec![0.0; 16];
            simulate_into(&s, 8, 2, &mut Normal::new(Rng::new(1, 0)), &mut out);
            for (a, b) in out.iter().zip(f.iter().cycle()) {
                assert!((a - b).abs() < 1e-9, "{code:?}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn additive_paths_average_to_the_point_forecast() {
        let s = state((Comp::A, Comp::A, Comp::A), 4.0);
        let (h, n) = (6, 20_000);
        let mut out = vec![0.0; h * n];
        simulate_into(&s, h, n, &mut Normal::new(Rng::new(7, 0)), &mut out);
        let mut f = [0.0; 6];
        s.forecast_into(&mut f);
        for (k, fk) in f.iter().enumerate() {
            let mean = out.iter().skip(k).step_by(h).sum::<f64>() / n as f64;
            // Standard error of the mean is below 0.03 here.
            assert!((mean - fk).abs() < 0.12, "step {k}: {mean} vs {fk}");
        }
        let mut again = vec![0.0; h * n];
        simulate_into(&s, h, n, &mut Normal::new(Rng::new(7, 0)), &mut again);
        assert_eq!(out, again);
    }

    #[test]
    fn normal_draws_have_unit_variance() {
        let mut g = Normal::new(Rng::new(3, 1));
        let z: Vec<f64> = (0..100_000).map(|_| g.draw()).collect();
        let mean = z.iter().sum::<f64>() / z.len() as f64;
        let var = z.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / z.len() as f64;
        assert!(
            mean.abs() < 0.01 && (var - 1.0).abs() < 0.02,
            "{mean} {var}"
        );
    }
}
