//! Models for intermittent demand: Croston (classic, SBA, optimised) and TSB.
//!
//! Fitted values are the one-step forecast before each period, NaN until the first
//! positive demand has been seen (deliberate difference: statsforecast reports 0 for the
//! periods after the first one and up to the first demand). Refiltering: CrostonClassic,
//! CrostonSBA and TSB estimate nothing (a refilter is a fit); CrostonOptimized freezes
//! its two smoothing constants; a series that fell back (no demand) keeps its fallback.

use super::refilter::FittedOut;
use super::ses::Ses;
use super::ses_opt::{self, INTERMITTENT_BOUNDS};
use super::{naive, rms};
use crate::forecast::fitted::{Fallback, Fitted};
use crate::forecast::frozen::Frozen;

/// Smoothing constant of the Croston family (Croston 1972; statsforecast's fixed 0.1).
pub const CROSTON_ALPHA: f64 = 0.1;

/// Croston's method: SES on non-zero demand sizes and on the intervals between them
/// (the first interval counts from the start of the series), forecast `factor * z / p`.
/// `factor` is 1 for the classic method and `1 - alpha / 2` for SBA.
pub fn croston(y: &[f64], factor: f64) -> Fitted {
    croston_into(y, factor, FittedOut::none())
}

/// [`croston`], writing the fitted values into `out`.
pub fn croston_into(y: &[f64], factor: f64, mut out: FittedOut<'_>) -> Fitted {
    let (mut z, mut p) = (Ses::new(CROSTON_ALPHA), Ses::new(CROSTON_ALPHA));
    let mut since_last = 0.0;
    let mut current: Option<f64> = None; // one-step forecast made after the last observation
    let mut errors = Vec::with_capacity(y.len());
    for (t, &v) in y.iter().enumerate() {
        out.set(t, current.unwrap_or(f64::NAN));
        if let Some(f) = current {
            errors.push(v - f);
        }
        since_last += 1.0;
        if v != 0.0 {
            z.update(v);
            p.update(since_last);
            since_last = 0.0;
        }
        if let (Some(zl), Some(pl)) = (z.level(), p.level()) {
            current = Some(factor * if pl != 0.0 { zl / pl } else { zl });
        }
    }
    match current {
        Some(mean) => Fitted::constant(mean, rms(errors.into_iter())),
        None => naive::naive_into(y, out).fell_back(Fallback::NoDemand),
    }
}

/// The intervals between non-zero values, the first counted from the start of the
/// series (statsforecast's `_intervals`): non-zero at 0-based positions `i_1 < i_2 < ..`
/// gives `i_1 + 1, i_2 - i_1, ..`.
pub fn intervals(y: &[f64]) -> Vec<f64> {
    let mut out = Vec::new();
    let mut last = 0usize;
    for (i, &v) in y.iter().enumerate() {
        if v != 0.0 {
            out.push((i + 1 - last) as f64);
            last = i + 1;
        }
    }
    out
}

/// statsforecast's `CrostonOptimized`: Croston with the SES alpha of the demand sizes
/// (the *positive* values) and of the intervals (between *non-zero* values) each searched
/// in [0.1, 0.3] by golden section on the in-sample SSE; forecast `z / p`. Without a
/// positive value it is `Naive` (as statsforecast). Sigma: the one-step errors of the
/// Croston recursion at the chosen alphas (statsforecast re-optimises on every prefix for
/// its fitted values, which is quadratic; this is the linear-time equivalent at the final
/// alphas).
pub fn croston_optimized(y: &[f64]) -> Fitted {
    let sizes: Vec<f64> = y.iter().copied().filter(|&v| v > 0.0).collect();
    if sizes.is_empty() {
        return naive::naive(y).fell_back(Fallback::NoDemand);
    }
    let gaps = intervals(y);
    let alpha_z = ses_opt::golden_section(&sizes, INTERMITTENT_BOUNDS);
    let alpha_p = ses_opt::golden_section(&gaps, INTERMITTENT_BOUNDS);
    croston_filter(y, alpha_z, alpha_p, FittedOut::none())
}

/// CrostonOptimized's filter at frozen smoothing constants, writing the fitted values into
/// `out`. A series without positive demand (possible only for a series the model was not
/// fitted on) gets `Naive` ([`Fallback::NoDemand`]).
pub fn croston_filter(y: &[f64], alpha_z: f64, alpha_p: f64, mut out: FittedOut<'_>) -> Fitted {
    let sizes: Vec<f64> = y.iter().copied().filter(|&v| v > 0.0).collect();
    if sizes.is_empty() {
        return naive::naive_into(y, out).fell_back(Fallback::NoDemand);
    }
    let gaps = intervals(y);
    let z = ses_opt::forecast(alpha_z, &sizes);
    let p = ses_opt::forecast(alpha_p, &gaps);
    let mean = if p != 0.0 { z / p } else { z };
    // In-sample one-step forecasts with the same alphas.
    let (mut zs, mut ps) = (Ses::new(alpha_z), Ses::new(alpha_p));
    let mut since_last = 0.0;
    let mut errors = Vec::with_capacity(y.len());
    for (t, &v) in y.iter().enumerate() {
        if let (Some(zl), Some(pl)) = (zs.level(), ps.level()) {
            let f = if pl != 0.0 { zl / pl } else { zl };
            out.set(t, f);
            errors.push(v - f);
        } else {
            out.set(t, f64::NAN);
        }
        since_last += 1.0;
        if v != 0.0 {
            ps.update(since_last);
            since_last = 0.0;
        }
        if v > 0.0 {
            zs.update(v);
        }
    }
    Fitted::constant(mean, rms(errors.into_iter()))
        .with_frozen(Frozen::Croston { alpha_z, alpha_p })
}

/// Teunter, Syntetos & Babai (2011): SES (`alpha_p`) on the demand indicator of every
/// period and SES (`alpha_d`) on the non-zero demand sizes; forecast = probability × size.
/// A series without demand forecasts 0 (as statsforecast).
pub fn tsb(y: &[f64], alpha_d: f64, alpha_p: f64) -> Fitted {
    tsb_into(y, alpha_d, alpha_p, FittedOut::none())
}

/// [`tsb`], writing the fitted values into `out`.
pub fn tsb_into(y: &[f64], alpha_d: f64, alpha_p: f64, mut out: FittedOut<'_>) -> Fitted {
    let (mut d, mut p) = (Ses::new(alpha_d), Ses::new(alpha_p));
    let mut errors = Vec::with_capacity(y.len());
    for (t, &v) in y.iter().enumerate() {
        if let (Some(dl), Some(pl)) = (d.level(), p.level()) {
            out.set(t, dl * pl);
            errors.push(v - dl * pl);
        } else {
            out.set(t, f64::NAN);
        }
        p.update(if v != 0.0 { 1.0 } else { 0.0 });
        if v > 0.0 {
            d.update(v);
        }
    }
    match (d.level(), p.level()) {
        (Some(dl), Some(pl)) => Fitted::constant(dl * pl, rms(errors.into_iter())),
        _ => zero_into(y, out).fell_back(Fallback::NoDemand),
    }
}

/// The constant 0 (TSB's forecast without demand): fitted values 0 at every period, sigma
/// the RMS of the series.
pub fn zero_into(y: &[f64], mut out: FittedOut<'_>) -> Fitted {
    out.fill(0.0);
    Fitted::constant(0.0, rms(y.iter().copied())).with_frozen(Frozen::Zero)
}

#[cfg(test)]
mod tests {
    use super::super::close;
    use super::*;
    use crate::forecast::fitted::State;

    fn value(f: &Fitted) -> f64 {
        let State::Cycle(c) = &f.state else {
            panic!("not a cycle")
        };
        c[0]
    }

    #[test]
    fn croston_by_hand() {
        // demands 3, 5, 2 at positions 0, 2, 3 -> intervals 1, 2, 1.
        let y = [3.0, 0.0, 5.0, 2.0];
        // SES(0.1) of [3, 5, 2]: 3 -> 3.2 -> 3.08 ; of [1, 2, 1]: 1 -> 1.1 -> 1.09
        assert!(close(value(&croston(&y, 1.0)), 3.08 / 1.09));
        assert!(close(value(&croston(&y, 0.95)), 0.95 * 3.08 / 1.09));
        let none = croston(&[0.0, 0.0], 1.0);
        assert_eq!(none.fallback, Some(Fallback::NoDemand));
        assert_eq!(value(&none), 0.0);
    }

    #[test]
    fn intervals_count_from_the_start() {
        assert_eq!(
            intervals(&[0.0, 3.0, 0.0, 0.0, -1.0, 2.0]),
            vec![2.0, 3.0, 1.0]
        );
        assert!(intervals(&[0.0; 3]).is_empty());
    }

    #[test]
    fn croston_optimized_matches_statsforecast() {
        // Values printed by statsforecast 2.1.1 CrostonOptimized().forecast.
        let cases: [(&[f64], f64); 5] = [
            (&[5.0], 5.0),
            (&[0.0, 0.0, 3.0], 1.0),
            (
                &[0.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
                1.5,
            ),
            (&[1.0, -1.0, 0.0, 2.0], 1.0),
            (&[3.0, 3.0, 3.0], 3.0),
        ];
        for (y, want) in cases {
            let f = croston_optimized(y);
            assert!((value(&f) - want).abs() < 1e-12, "{y:?}: {}", value(&f));
            assert!(f.fallback.is_none());
        }
        let neg = croston_optimized(&[-2.0, 0.0, -1.0]);
        assert_eq!(
            (value(&neg), neg.fallback),
            (-1.0, Some(Fallback::NoDemand))
        );
    }

    #[test]
    fn tsb_by_hand() {
        // indicator [1, 0, 1, 1] with alpha_p 0.5: 1 -> 0.5 -> 0.75 -> 0.875
        // sizes [3, 5, 2] with alpha_d 0.5: 3 -> 4 -> 3
        let f = tsb(&[3.0, 0.0, 5.0, 2.0], 0.5, 0.5);
        assert!(close(value(&f), 0.875 * 3.0));
        assert_eq!(value(&tsb(&[0.0, 0.0], 0.1, 0.1)), 0.0);
    }
}
