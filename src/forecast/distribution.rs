//! Model-based forecast distributions for the per-series models that have a likelihood:
//! ETS (analytic or simulated, see `models::ets::interval`) and, for series whose ETS fit
//! fell back to `Naive`, the random walk `ŷ_k ± z·σ·√k` that `Naive` is the forecast of.
//! Every other model gets conformal intervals from rolling-origin errors (Python side).
//!
//! Randomness is seeded per series (`Rng::new(seed, series index)`), so results do not
//! depend on the number of threads.

use super::exog::Exog;
use super::fitted::{Fitted, State};
use super::models::ets::interval;
use super::models::ets::simulate::{simulate_into, Normal};
use super::spec::ModelSpec;
use crate::ml::rng::Rng;
use crate::planning::normal;

/// Whether `spec` has a model-based forecast distribution (else: conformal).
pub fn has_distribution(spec: &ModelSpec) -> bool {
    match spec {
        ModelSpec::AutoEts(_) | ModelSpec::Arima(_) | ModelSpec::AutoArima(_) => true,
        ModelSpec::WithRegressors(inner) => has_distribution(inner),
        ModelSpec::Mstl { trend, .. } => has_distribution(trend),
        _ => false,
    }
}

/// The normal draws for series `series` under `seed`.
pub fn normal_for(seed: u64, series: usize) -> Normal {
    Normal::new(Rng::new(seed, series as u64))
}

/// Raw (unclipped) quantiles `probs` of the 1..=h-step forecasts of `f` with the future
/// regressors `xf` (`h` rows; empty for none): `out[q * h + k]`. NaN for a model without a
/// distribution.
pub fn quantiles_into(
    f: &Fitted,
    h: usize,
    probs: &[f64],
    g: &mut Normal,
    xf: Exog<'_>,
    out: &mut [f64],
) {
    match &f.state {
        State::Regressed(r) => {
            // the regressors shift the inner model's distribution step by step
            quantiles_into(&r.inner, h, probs, g, Exog::NONE, out);
            r.add_effect(out, probs.len(), xf);
        }
        State::Mstl(m) => {
            quantiles_into(&m.trend, h, probs, g, xf, out);
            m.add_seasonal(out, probs.len());
        }
        State::Arima(a) => a.quantiles_into(h, probs, xf, out),
        State::Ets(e) => interval::quantiles_into(e, h, probs, g, out),
        State::Cycle(_) => {
            let mut mean = vec![0.0; h];
            f.forecast_into(&mut mean);
            for (q, &p) in probs.iter().enumerate() {
                let z = normal::quantile(p);
                for k in 0..h {
                    out[q * h + k] = mean[k] + z * f.sigma * ((k + 1) as f64).sqrt();
                }
            }
        }
        State::Theta(_) => out.fill(f64::NAN),
    }
}

/// `n_paths` raw (unclipped) sample paths of `h` steps from `f` with the future
/// regressors `xf` (`h` rows; empty for none): `out[p * h + k]`. NaN for a model without a
/// distribution.
pub fn paths_into(
    f: &Fitted,
    h: usize,
    n_paths: usize,
    g: &mut Normal,
    xf: Exog<'_>,
    out: &mut [f64],
) {
    match &f.state {
        State::Regressed(r) => {
            paths_into(&r.inner, h, n_paths, g, Exog::NONE, out);
            r.add_effect(out, n_paths, xf);
        }
        State::Mstl(m) => {
            paths_into(&m.trend, h, n_paths, g, xf, out);
            m.add_seasonal(out, n_paths);
        }
        State::Arima(a) => a.paths_into(h, n_paths, g, xf, out),
        State::Ets(e) => simulate_into(e, h, n_paths, g, out),
        State::Cycle(_) => {
            let mut mean = vec![0.0; h];
            f.forecast_into(&mut mean);
            for path in out.chunks_mut(h) {
                let mut walk = 0.0;
                for (k, o) in path.iter_mut().enumerate() {
                    walk += f.sigma * g.draw();
                    *o = mean[k] + walk;
                }
            }
        }
        State::Theta(_) => out.fill(f64::NAN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naive_fallback_is_a_random_walk() {
        let f = Fitted::constant(10.0, 2.0);
        let mut out = [0.0; 4];
        quantiles_into(
            &f,
            2,
            &[0.5, 0.975],
            &mut normal_for(0, 0),
            Exog::NONE,
            &mut out,
        );
        assert_eq!(&out[..2], &[10.0, 10.0]);
        let z = normal::quantile(0.975);
        assert!((out[3] - (10.0 + z * 2.0 * 2f64.sqrt())).abs() < 1e-12);
        let n = 20_000;
        let mut paths = vec![0.0; n * 3];
        paths_into(&f, 3, n, &mut normal_for(5, 1), Exog::NONE, &mut paths);
        let last: Vec<f64> = paths.iter().skip(2).step_by(3).copied().collect();
        let m = last.iter().sum::<f64>() / n as f64;
        let v = last.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64;
        assert!(
            (m - 10.0).abs() < 0.1 && (v / 12.0 - 1.0).abs() < 0.05,
            "{m} {v}"
        );
    }
}
