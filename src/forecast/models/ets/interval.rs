//! Forecast distributions of a fitted ETS model (Hyndman et al. 2008, ch. 6), for
//! prediction intervals and quantiles.
//!
//! * **Class 1** (additive error, additive or no trend and season: ANN, AAN, AAdN, ANA,
//!   AAA, AAdA): the h-step forecast is normal with mean the point forecast `μ_h` and
//!   variance `v_h = σ²·(1 + Σ_{j=1}^{h-1} c_j²)`, exact.
//! * **Class 2** (the same with multiplicative error: MNN, MAN, MAdN, MNA, MAA, MAdA): mean
//!   `μ_h` and variance `v_h = (1 + σ²)·θ_h − μ_h²` with `θ_1 = μ_1²` and
//!   `θ_h = μ_h² + σ²·Σ_{j=1}^{h-1} c_j²·θ_{h−j}`, exact moments; the interval is the normal
//!   one with these moments (as R's `forecast.ets`).
//!
//! In both, `c_j = α + β·φ_j + γ·d_j` with `φ_j = j` (undamped) or `φ + φ² + … + φ^j`
//! (damped), `β = 0` without a trend, and `d_j = 1` when `j` is a multiple of the season
//! length (else 0; `γ = 0` without a season).
//!
//! * **Every other model** (multiplicative season or trend: MNM, MAM, MAdM, MMN, MMdN, MMM,
//!   MMdM), where the book's class-3 moments are only approximate for `h > m` and no closed
//!   form exists for a multiplicative trend: [`N_SIMS`] paths simulated from the fitted
//!   model (`simulate.rs`) with a fixed seed, and their empirical quantiles per step
//!   (linear interpolation between order statistics).

use super::simulate::{simulate_into, Normal};
use super::spec::Comp;
use super::state::EtsState;
use crate::planning::normal;

/// Simulated paths behind the quantiles of the models without closed-form moments.
pub const N_SIMS: usize = 5000;

/// Whether the model's forecast variance has a closed form (classes 1 and 2).
pub fn analytic(state: &EtsState) -> bool {
    state.kind.trend != Comp::M && state.kind.season != Comp::M
}

/// `c_1, …, c_{h-1}`: the weight of an error on the forecast `j` steps later.
fn weights(state: &EtsState, h: usize) -> Vec<f64> {
    let s = &state.smoothing;
    let k = state.kind;
    let m = state.season.len();
    let mut out = Vec::with_capacity(h.saturating_sub(1));
    let mut phi_j = 0.0;
    let mut phi_pow = 1.0;
    for j in 1..h {
        phi_pow *= if k.damped { s.phi } else { 1.0 };
        phi_j += phi_pow;
        let mut c = s.alpha;
        if k.trend != Comp::N {
            c += s.beta * phi_j;
        }
        if k.season != Comp::N && m > 0 && j % m == 0 {
            c += s.gamma;
        }
        out.push(c);
    }
    out
}

/// Variances of the 1..=h-step forecasts for classes 1 and 2 (`mean` is the point
/// forecast); `None` for the models that need simulation (see [`analytic`]).
pub fn variances(state: &EtsState, mean: &[f64]) -> Option<Vec<f64>> {
    if !analytic(state) {
        return None;
    }
    let h = mean.len();
    let s2 = state.sigma2.max(0.0);
    let c2: Vec<f64> = weights(state, h).iter().map(|c| c * c).collect();
    if state.kind.error != Comp::M {
        let mut acc = 1.0;
        let mut out = Vec::with_capacity(h);
        for k in 0..h {
            if k > 0 {
                acc += c2[k - 1];
            }
            out.push(s2 * acc);
        }
        return Some(out);
    }
    let mut theta: Vec<f64> = Vec::with_capacity(h);
    for k in 0..h {
        let mut t = mean[k] * mean[k];
        for j in 1..=k {
            t += s2 * c2[j - 1] * theta[k - j];
        }
        theta.push(t);
    }
    Some(
        theta
            .iter()
            .zip(mean)
            .map(|(t, mu)| ((1.0 + s2) * t - mu * mu).max(0.0))
            .collect(),
    )
}

/// The `p`-quantile of the sorted, non-empty `v` (linear interpolation, R's type 7).
fn sorted_quantile(v: &[f64], p: f64) -> f64 {
    let pos = p * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    v[lo] + (pos - lo as f64) * (v[hi] - v[lo])
}

/// Quantiles `probs` (each in (0, 1)) of the 1..=h-step forecast distribution, raw (not
/// clipped): `out[q * h + k]` for quantile `q` and step `k + 1`. `normal` drives the
/// simulation of the models that need it (unused otherwise).
pub fn quantiles_into(
    state: &EtsState,
    h: usize,
    probs: &[f64],
    normal: &mut Normal,
    out: &mut [f64],
) {
    debug_assert_eq!(out.len(), probs.len() * h);
    let mut mean = vec![0.0; h];
    state.forecast_into(&mut mean);
    if let Some(var) = variances(state, &mean) {
        for (q, &p) in probs.iter().enumerate() {
            let z = normal::quantile(p);
            for k in 0..h {
                out[q * h + k] = mean[k] + z * var[k].sqrt();
            }
        }
        return;
    }
    let mut paths = vec![0.0; N_SIMS * h];
    simulate_into(state, h, N_SIMS, normal, &mut paths);
    let mut column = Vec::with_capacity(N_SIMS);
    for k in 0..h {
        column.clear();
        column.extend(
            paths
                .iter()
                .skip(k)
                .step_by(h)
                .copied()
                .filter(|v| !v.is_nan()),
        );
        column.sort_unstable_by(f64::total_cmp);
        for (q, &p) in probs.iter().enumerate() {
            out[q * h + k] = if column.is_empty() {
                f64::NAN
            } else {
                sorted_quantile(&column, p)
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::recursion::Smoothing;
    use super::super::spec::Kind;
    use super::*;
    use crate::ml::rng::Rng;

    fn state(kind: Kind, season: Vec<f64>, sigma2: f64) -> EtsState {
        EtsState {
            kind,
            smoothing: Smoothing {
                alpha: 0.3,
                beta: 0.1,
                gamma: 0.2,
                phi: if kind.damped { 0.9 } else { 1.0 },
            },
            level: 50.0,
            slope: 1.0,
            season,
            sigma2,
        }
    }

    fn mean(s: &EtsState, h: usize) -> Vec<f64> {
        let mut f = vec![0.0; h];
        s.forecast_into(&mut f);
        f
    }

    #[test]
    fn class_one_closed_forms() {
        // ANN: σ²(1 + (h-1)α²).
        let ann = state(Kind::new(Comp::A, Comp::N, Comp::N, false), vec![], 2.0);
        let v = variances(&ann, &mean(&ann, 4)).unwrap();
        for (k, vk) in v.iter().enumerate() {
            assert!((vk - 2.0 * (1.0 + k as f64 * 0.09)).abs() < 1e-12);
        }
        // AAN: c_j = α + βj.
        let aan = state(Kind::new(Comp::A, Comp::A, Comp::N, false), vec![], 1.0);
        let v = variances(&aan, &mean(&aan, 3)).unwrap();
        assert!((v[2] - (1.0 + 0.4f64.powi(2) + 0.5f64.powi(2))).abs() < 1e-12);
        // AAdA, m = 2: c_1 = α + βφ, c_2 = α + β(φ + φ²) + γ.
        let aada = state(
            Kind::new(Comp::A, Comp::A, Comp::A, true),
            vec![1.0, -1.0],
            1.0,
        );
        let v = variances(&aada, &mean(&aada, 3)).unwrap();
        let c1: f64 = 0.3 + 0.1 * 0.9;
        let c2: f64 = 0.3 + 0.1 * (0.9 + 0.81) + 0.2;
        assert!((v[2] - (1.0 + c1 * c1 + c2 * c2)).abs() < 1e-12);
        let mam = state(
            Kind::new(Comp::M, Comp::A, Comp::M, false),
            vec![1.1, 0.9],
            0.01,
        );
        assert!(variances(&mam, &mean(&mam, 3)).is_none());
    }

    #[test]
    fn class_two_matches_simulation() {
        // MAN with a large σ: the exact moments against 20 000 simulated paths.
        let man = state(Kind::new(Comp::M, Comp::A, Comp::N, false), vec![], 0.04);
        let h = 6;
        let mu = mean(&man, h);
        let v = variances(&man, &mu).unwrap();
        assert!((v[0] - 0.04 * mu[0] * mu[0]).abs() < 1e-9);
        let n = 20_000;
        let mut paths = vec![0.0; n * h];
        simulate_into(&man, h, n, &mut Normal::new(Rng::new(11, 0)), &mut paths);
        for k in 0..h {
            let col: Vec<f64> = paths.iter().skip(k).step_by(h).copied().collect();
            let m = col.iter().sum::<f64>() / n as f64;
            let var = col.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64;
            assert!(
                (m / mu[k] - 1.0).abs() < 0.01,
                "mean step {k}: {m} vs {}",
                mu[k]
            );
            assert!(
                (var / v[k] - 1.0).abs() < 0.05,
                "var step {k}: {var} vs {}",
                v[k]
            );
        }
    }

    #[test]
    fn quantiles_analytic_and_simulated() {
        let ann = state(Kind::new(Comp::A, Comp::N, Comp::N, false), vec![], 4.0);
        let mut out = vec![0.0; 2 * 2];
        let mut g = Normal::new(Rng::new(0, 0));
        quantiles_into(&ann, 2, &[0.1, 0.9], &mut g, &mut out);
        let z = normal::quantile(0.9);
        assert!((out[0] - (50.0 - 2.0 * z)).abs() < 1e-9);
        assert!((out[3] - (50.0 + 2.0 * (1.09f64).sqrt() * z)).abs() < 1e-9);
        // MNM with a tiny σ: the simulated quantiles hug the point forecast.
        let mnm = state(
            Kind::new(Comp::M, Comp::N, Comp::M, false),
            vec![0.5, 1.5],
            1e-6,
        );
        let mut out = vec![0.0; 2 * 4];
        quantiles_into(&mnm, 4, &[0.025, 0.975], &mut g, &mut out);
        let mu = mean(&mnm, 4);
        for k in 0..4 {
            assert!(out[k] < mu[k] && mu[k] < out[4 + k]);
            assert!((out[4 + k] - out[k]) / mu[k] < 0.01);
        }
    }
}
