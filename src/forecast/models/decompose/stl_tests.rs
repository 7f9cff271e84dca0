//! Tests of the STL core: exact cases, invariants, guards and reference values from
//! statsmodels 0.15.

use super::*;
use crate::forecast::models::decompose::loess::Plan;
use crate::forecast::models::decompose::params::StlParams;

/// The series of the reference values: a weekly pattern, a slope and a deterministic
/// wiggle. Python: `t = np.arange(60); y = np.array([1,5,2,2,3,4,9.])[t % 7] + 0.05*t +
/// ((t*37) % 11)/10`.
fn reference_series() -> Vec<f64> {
    let week = [1.0, 5.0, 2.0, 2.0, 3.0, 4.0, 9.0];
    (0..60)
        .map(|t| week[t % 7] + 0.05 * t as f64 + ((t * 37) % 11) as f64 / 10.0)
        .collect()
}

fn assert_close(got: &[f64], idx: &[usize], want: &[f64]) {
    for (&i, w) in idx.iter().zip(want) {
        assert!((got[i] - w).abs() < 1e-7, "[{i}] {} vs {w}", got[i]);
    }
}

#[test]
fn matches_statsmodels_reference_values() {
    let y = reference_series();
    let (s, t) = ([0, 13, 59], [0, 30, 59]);
    // STL(y, period=7, seasonal=11, seasonal_deg=0).fit()
    let r = stl(
        &y,
        &StlParams::new(7)
            .seasonal(11)
            .seasonal_deg(0)
            .check()
            .unwrap(),
    )
    .unwrap();
    assert_close(&r.seasonal, &s, &[-2.80441574, 5.34062621, -1.56567133]);
    assert_close(&r.trend, &t, &[4.00556432, 5.74318879, 6.99116252]);
    // STL(y, period=7).fit()
    let r = stl(&y, &StlParams::new(7).check().unwrap()).unwrap();
    assert_close(&r.seasonal, &s, &[-2.94834968, 5.24848376, -1.44503473]);
    assert_close(&r.trend, &t, &[4.03848425, 5.73258398, 6.9922862]);
    // y2 = y.copy(); y2[17] += 30; STL(y2, period=7, robust=True).fit()
    let mut y2 = y.clone();
    y2[17] += 30.0;
    let r = stl(&y2, &StlParams::new(7).robust(true).check().unwrap()).unwrap();
    assert_close(&r.seasonal, &s, &[-2.95245033, 5.22271997, -1.44835964]);
    assert_close(&r.trend, &t, &[4.03337612, 5.73506383, 6.9844494]);
    assert_close(&r.weights, &[16, 17, 18], &[0.97402087, 0.0, 0.97495359]);
    // STL(y, period=7, seasonal=9, trend=23, low_pass=11, seasonal_jump=2, trend_jump=3,
    //     low_pass_jump=4).fit()
    let mut p = StlParams::new(7).seasonal(9);
    p.trend = Some(23);
    p.low_pass = Some(11);
    (p.seasonal_jump, p.trend_jump, p.low_pass_jump) = (2, 3, 4);
    let r = stl(&y, &p.check().unwrap()).unwrap();
    assert_close(&r.seasonal, &s, &[-2.97364071, 5.26039253, -1.46505206]);
    assert_close(&r.trend, &t, &[4.13064473, 5.70742245, 7.07630282]);
}

#[test]
fn pure_seasonal_plus_line_is_recovered() {
    let week = [1.0, -2.0, 0.5, 0.5, 3.0, -1.0, -2.0]; // sums to 0
    let y: Vec<f64> = (0..84)
        .map(|t| week[t % 7] + 10.0 + 0.3 * t as f64)
        .collect();
    // Degree-1 seasonal LOESS is exact on the detrended subseries from the first pass;
    // degree 0 (MSTL's) is biased at the ends by the slope and converges over the passes
    // (statsmodels: max error 1.5e-13 and 2.6e-6).
    for (p, tol) in [
        (StlParams::new(7), 1e-10),
        (StlParams::new(7).seasonal(11).seasonal_deg(0), 1e-5),
    ] {
        let r = stl(&y, &p.check().unwrap()).unwrap();
        for t in 0..y.len() {
            assert!((r.seasonal[t] - week[t % 7]).abs() < tol, "{t}");
            assert!((r.trend[t] - 10.0 - 0.3 * t as f64).abs() < tol);
            assert!(r.resid[t].abs() < tol);
        }
    }
}

#[test]
fn components_add_up_and_weights_are_in_range() {
    let y = reference_series();
    for p in [
        StlParams::new(7),
        StlParams::new(12).robust(true),
        StlParams::new(29),
    ] {
        let r = stl(&y, &p.check().unwrap()).unwrap();
        for (t, v) in y.iter().enumerate() {
            let back = r.seasonal[t] + r.trend[t] + r.resid[t];
            assert!((back - v).abs() <= 4.0 * f64::EPSILON * v.abs().max(1.0));
            assert!((0.0..=1.0).contains(&r.weights[t]));
        }
    }
}

#[test]
fn guards() {
    let y = reference_series();
    let p = StlParams::new(31).check().unwrap();
    assert!(matches!(stl(&y, &p), Err(Error::InvalidSeries { .. })));
    let p = StlParams::new(30).check().unwrap();
    assert!(stl(&y, &p).is_ok());
    assert!(stl(&[], &StlParams::new(2).check().unwrap()).is_err());
    let mut z = y.clone();
    z[3] = f64::NAN;
    assert!(stl(&z, &StlParams::new(7).check().unwrap()).is_err());
    assert!(StlParams::new(1).check().is_err());
    // A constant series decomposes into itself and a zero season.
    let r = stl(&[4.0; 20], &StlParams::new(3).robust(true).check().unwrap()).unwrap();
    assert!(r.seasonal.iter().all(|s| s.abs() < 1e-12));
    assert!(r.trend.iter().all(|t| (t - 4.0).abs() < 1e-12));
}

#[test]
fn direct_smoothing_equals_the_plans() {
    // Long series with wide windows skip the plans (Plan::affordable); both paths must agree
    // to the bit.
    let y: Vec<f64> = (0..200)
        .map(|t| ((t * 37) % 11) as f64 + (t % 7) as f64)
        .collect();
    for p in [StlParams::new(7), StlParams::new(30).robust(true)] {
        let p = p.check().unwrap();
        let mut a = Workspace::new(y.len(), &p);
        let mut b = a.clone();
        (b.trend_plan, b.low_plan) = (None, None);
        a.fit(&y);
        b.fit(&y);
        assert_eq!((a.season, a.trend), (b.season, b.trend));
    }
    assert!(Plan::affordable(740, 609) && !Plan::affordable(20_000, 14_001));
    // Absurd periods are errors, not overflows.
    let p = StlParams::new(usize::MAX - 1).check();
    assert!(p.is_err() || stl(&y, &p.unwrap()).is_err());
}
