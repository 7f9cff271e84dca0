//! Tests of MSTL: reference values from statsforecast 2.1.1, the components adding up,
//! dropped periods, the seasonal continuation and the strengths.

use super::*;

/// Two seasonalities and a slope. Python: `t = np.arange(120); y = np.array([1,5,2,2,3,4,9.])[t % 7]
/// + 3*np.sin(2*np.pi*t/30) + 0.05*t + ((t*37) % 11)/10`.
fn two_seasons() -> Vec<f64> {
    let week = [1.0, 5.0, 2.0, 2.0, 3.0, 4.0, 9.0];
    (0..120)
        .map(|t| {
            let tf = t as f64;
            week[t % 7]
                + 3.0 * (2.0 * std::f64::consts::PI * tf / 30.0).sin()
                + 0.05 * tf
                + ((t * 37) % 11) as f64 / 10.0
        })
        .collect()
}

fn assert_close(got: &[f64], idx: &[usize], want: &[f64]) {
    for (&i, w) in idx.iter().zip(want) {
        assert!((got[i] - w).abs() < 1e-7, "[{i}] {} vs {w}", got[i]);
    }
}

#[test]
fn matches_statsforecast_reference_values() {
    let y = two_seasons();
    let idx = [0, 50, 119];
    // statsforecast.mstl.mstl(y, [30, 7]) -> columns trend, seasonal7, seasonal30, remainder
    let m = mstl(&y, &[30, 7], None, None).unwrap();
    assert_eq!(
        m.seasonals.iter().map(|s| s.0).collect::<Vec<_>>(),
        vec![7, 30]
    );
    assert!(m.dropped.is_empty());
    assert_close(&m.trend, &idx, &REF2[0]);
    assert_close(&m.seasonals[0].1, &idx, &REF2[1]);
    assert_close(&m.seasonals[1].1, &idx, &REF2[2]);
    assert_close(&m.remainder, &idx, &REF2[3]);
    // statsforecast.mstl.mstl(y, 7)
    let m = mstl(&y, &[7], None, None).unwrap();
    assert_close(&m.trend, &idx, &REF1[0]);
    assert_close(&m.seasonals[0].1, &idx, &REF1[1]);
    // statsforecast.arima.seas_heuristic(y, 7)
    assert!((m.seasonal_strength()[0].1 - SEAS7).abs() < 1e-9);
}

const REF2: [[f64; 3]; 4] = [
    [4.15920156915685, 6.713470267861556, 10.20470870254435],
    [-2.8086408605424884, 1.2832185786362753, -2.8208252455342113],
    [0.1582452130741177, -2.9509494070630473, -0.6723966225346466],
    [
        -0.5088059216884795,
        0.0561843492119003,
        -0.08522190692877629,
    ],
];
const REF1: [[f64; 3]; 2] = [
    [4.432506420399125, 4.448554763635302, 9.145550507100847],
    [-2.8491571780822973, 1.2674949819545829, -2.7261885063355455],
];
const SEAS7: f64 = 0.9775310948436888;

#[test]
fn components_add_up() {
    let y = two_seasons();
    let m = mstl(&y, &[7, 30], Some(3), Some(&[9, 13])).unwrap();
    for (t, v) in y.iter().enumerate() {
        let back = m.trend[t] + m.seasonals[0].1[t] + m.seasonals[1].1[t] + m.remainder[t];
        assert!((back - v).abs() < 1e-12);
    }
    let s = m.seasonal_sum();
    let d = m.deseasonalized();
    assert!(y
        .iter()
        .zip(s.iter().zip(&d))
        .all(|(v, (s, d))| (s + d - v).abs() < 1e-12));
}

#[test]
fn short_periods_are_dropped_not_fatal() {
    let y = two_seasons();
    let m = mstl(&y, &[60, 1, 7, 365], None, None).unwrap();
    assert_eq!(m.dropped, vec![1, 60, 365]);
    assert_eq!(m.seasonals.len(), 1);
    // Same as asking for 7 alone (one period: one pass).
    assert_eq!(
        m,
        Mstl {
            dropped: vec![1, 60, 365],
            ..mstl(&y, &[7], None, None).unwrap()
        }
    );
    let m = mstl(&y[..10], &[7], None, None).unwrap();
    assert_eq!(
        (m.dropped.clone(), m.trend.clone()),
        (vec![7], y[..10].to_vec())
    );
    assert!(m.remainder.iter().all(|&r| r == 0.0));
    assert!(m.seasonal_strength().is_empty() && m.trend_strength().is_none());
    assert_eq!(m.seasonal_forecast(3), vec![0.0; 3]);
    assert!(mstl(&[], &[7], None, None).is_err());
    assert!(mstl(&[1.0, f64::NAN, 2.0], &[7], None, None).is_err());
    assert!(mstl(&y, &[7, 30], None, Some(&[11, 15, 19])).is_err());
    assert!(mstl(&y, &[7, 30], None, Some(&[8])).is_err());
    assert!(mstl(&y, &[7, 30], Some(0), None).is_err());
}

#[test]
fn seasonal_forecast_repeats_the_last_cycle() {
    let y = two_seasons();
    let m = mstl(&y, &[7, 30], None, None).unwrap();
    let f = m.seasonal_forecast(45);
    let n = y.len();
    for (t, v) in f.iter().enumerate() {
        let want = m.seasonals[0].1[n - 7 + t % 7] + m.seasonals[1].1[n - 30 + t % 30];
        assert!((v - want).abs() < 1e-15);
    }
}

#[test]
fn strengths_of_a_clear_season() {
    let y = two_seasons();
    let m = mstl(&y, &[7], None, None).unwrap();
    let (p, fs) = m.seasonal_strength()[0];
    assert_eq!(p, 7);
    assert!(fs > 0.64 && fs <= 1.0, "{fs}");
    let ft = m.trend_strength().unwrap();
    assert!((0.0..=1.0).contains(&ft));
}
