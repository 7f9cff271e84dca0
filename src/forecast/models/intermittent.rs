//! Models for intermittent demand: Croston (classic and SBA) and TSB.

use super::ses::Ses;
use super::{naive, rms};
use crate::forecast::fitted::{Fallback, Fitted};

/// Smoothing constant of the Croston family (Croston 1972; statsforecast's fixed 0.1).
pub const CROSTON_ALPHA: f64 = 0.1;

/// Croston's method: SES on non-zero demand sizes and on the intervals between them
/// (the first interval counts from the start of the series), forecast `factor * z / p`.
/// `factor` is 1 for the classic method and `1 - alpha / 2` for SBA.
pub fn croston(y: &[f64], factor: f64) -> Fitted {
    let (mut z, mut p) = (Ses::new(CROSTON_ALPHA), Ses::new(CROSTON_ALPHA));
    let mut since_last = 0.0;
    let mut current: Option<f64> = None; // one-step forecast made after the last observation
    let mut errors = Vec::with_capacity(y.len());
    for &v in y {
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
        None => naive::naive(y).fell_back(Fallback::NoDemand),
    }
}

/// Teunter, Syntetos & Babai (2011): SES (`alpha_p`) on the demand indicator of every
/// period and SES (`alpha_d`) on the non-zero demand sizes; forecast = probability × size.
/// A series without demand forecasts 0 (as statsforecast).
pub fn tsb(y: &[f64], alpha_d: f64, alpha_p: f64) -> Fitted {
    let (mut d, mut p) = (Ses::new(alpha_d), Ses::new(alpha_p));
    let mut errors = Vec::with_capacity(y.len());
    for &v in y {
        if let (Some(dl), Some(pl)) = (d.level(), p.level()) {
            errors.push(v - dl * pl);
        }
        p.update(if v != 0.0 { 1.0 } else { 0.0 });
        if v > 0.0 {
            d.update(v);
        }
    }
    match (d.level(), p.level()) {
        (Some(dl), Some(pl)) => Fitted::constant(dl * pl, rms(errors.into_iter())),
        _ => Fitted::constant(0.0, rms(y.iter().copied())).fell_back(Fallback::NoDemand),
    }
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
    fn tsb_by_hand() {
        // indicator [1, 0, 1, 1] with alpha_p 0.5: 1 -> 0.5 -> 0.75 -> 0.875
        // sizes [3, 5, 2] with alpha_d 0.5: 3 -> 4 -> 3
        let f = tsb(&[3.0, 0.0, 5.0, 2.0], 0.5, 0.5);
        assert!(close(value(&f), 0.875 * 3.0));
        assert_eq!(value(&tsb(&[0.0, 0.0], 0.1, 0.1)), 0.0);
    }
}
