//! Tests of `refilter`: every model refilters to its own fit, parameter-free models refilter
//! a longer series to its fit, estimated models to a hand-rolled filter with the frozen
//! parameters, fallbacks stay, fitted values agree with sigma and with statsforecast.

use super::*;
use crate::forecast::codec::Writer;
use crate::forecast::exog::Exog;
use crate::forecast::fitted::Fallback;
use crate::forecast::models::ets::{EtsInit, EtsSpec, Smoothing};
use crate::forecast::models::theta::{decompose, state_space, Kind};
use crate::forecast::models::{fit, fit_x, rms};

fn bytes(f: &Fitted) -> Vec<u8> {
    let mut w = Writer::default();
    f.encode(&mut w);
    w.buf
}

fn forecast(f: &Fitted, h: usize) -> Vec<f64> {
    let mut out = vec![0.0; h];
    f.forecast_into(&mut out);
    out
}

fn fitted_values(spec: &ModelSpec, f: &Fitted, y: &[f64]) -> (Fitted, Vec<f64>) {
    let mut out = vec![-99.0; y.len()];
    let g = refilter(spec, f, y, Some(&mut out));
    (g, out)
}

/// Weekly pattern on a trend, positive.
fn smooth(n: usize) -> Vec<f64> {
    let week = [5.0, 3.0, 2.0, 4.0, 6.0, 9.0, 1.0];
    (0..n)
        .map(|t| 20.0 + 0.05 * t as f64 + week[t % 7] + ((t * 7919) % 13) as f64 / 6.0)
        .collect()
}

/// Intermittent demand.
fn sparse(n: usize) -> Vec<f64> {
    (0..n)
        .map(|t| {
            if (t * 37) % 7 < 2 {
                ((t * 13) % 5 + 1) as f64
            } else {
                0.0
            }
        })
        .collect()
}

fn all_specs() -> Vec<ModelSpec> {
    let ets = |m: &str| ModelSpec::AutoEts(EtsSpec::new(7, m, None).unwrap());
    let theta = |k: Option<Kind>, mult: bool| ModelSpec::Theta {
        kind: k,
        season_length: 7,
        multiplicative: mult,
    };
    vec![
        ModelSpec::Naive,
        ModelSpec::SeasonalNaive { season_length: 7 },
        ModelSpec::HistoricAverage,
        ModelSpec::WindowAverage { window_size: 5 },
        ModelSpec::SeasonalWindowAverage {
            season_length: 7,
            window_size: 2,
        },
        ModelSpec::Ses { alpha: 0.3 },
        ModelSpec::SesOptimized,
        ModelSpec::CrostonClassic,
        ModelSpec::CrostonSba,
        ModelSpec::CrostonOptimized,
        ModelSpec::Tsb {
            alpha_d: 0.2,
            alpha_p: 0.3,
        },
        ModelSpec::Adida,
        ModelSpec::Imapa,
        theta(Some(Kind::Stm), true),
        theta(Some(Kind::Otm), false),
        theta(Some(Kind::Dstm), true),
        theta(Some(Kind::Dotm), true),
        theta(None, true),
        ets("ZZZ"),
        ets("ANN"),
        ets("AAN"),
        ets("MAM"),
        ModelSpec::AutoEts(EtsSpec::new(7, "AAA", Some(true)).unwrap()),
        ModelSpec::Mstl {
            periods: vec![7],
            trend: Box::new(ModelSpec::AutoEts(EtsSpec::new(1, "ZZN", None).unwrap())),
        },
        ModelSpec::Mstl {
            periods: vec![7, 30],
            trend: Box::new(ModelSpec::SesOptimized),
        },
    ]
}

fn series() -> Vec<Vec<f64>> {
    vec![
        smooth(60),
        sparse(45),
        vec![4.0; 30],
        vec![0.0; 12],
        vec![3.0, 0.0, 2.0],
        vec![5.0],
        smooth(10),
        (0..40).map(|t| f64::from(t % 7) - 2.0).collect(),
    ]
}

#[test]
fn every_model_refilters_to_its_own_fit() {
    for spec in all_specs() {
        for y in series() {
            let f = fit(&spec, &y);
            let (g, out) = fitted_values(&spec, &f, &y);
            assert_eq!(bytes(&g), bytes(&f), "{spec:?} on {y:?}");
            assert!(
                out.iter().all(|v| *v != -99.0),
                "{spec:?}: unwritten fitted value"
            );
            // sigma is the RMS of y - fitted where fitted exists (theta: after 3 periods)
            let skip = if matches!(f.state, State::Theta(_)) {
                3
            } else {
                0
            };
            let errors = y
                .iter()
                .zip(&out)
                .skip(skip)
                .filter(|(_, v)| v.is_finite())
                .map(|(a, b)| a - b);
            let s = rms(errors);
            assert!(
                (s - f.sigma).abs() <= 1e-9 * f.sigma.max(1.0),
                "{spec:?} on {y:?}: rms {s} vs sigma {}",
                f.sigma
            );
        }
    }
}

#[test]
fn parameter_free_models_refilter_to_a_fit_of_the_longer_series() {
    let specs = [
        ModelSpec::Naive,
        ModelSpec::SeasonalNaive { season_length: 7 },
        ModelSpec::HistoricAverage,
        ModelSpec::WindowAverage { window_size: 5 },
        ModelSpec::SeasonalWindowAverage {
            season_length: 7,
            window_size: 2,
        },
        ModelSpec::Ses { alpha: 0.3 },
        ModelSpec::CrostonClassic,
        ModelSpec::CrostonSba,
        ModelSpec::Tsb {
            alpha_d: 0.2,
            alpha_p: 0.3,
        },
    ];
    for y in [smooth(60), sparse(60)] {
        for spec in &specs {
            let f = fit(spec, &y[..40]);
            assert_eq!(f.fallback, None);
            let (g, out) = fitted_values(spec, &f, &y);
            assert_eq!(bytes(&g), bytes(&fit(spec, &y)), "{spec:?}");
            let (_, want) = fitted_values(spec, &fit(spec, &y), &y);
            assert_eq!(format!("{out:?}"), format!("{want:?}"));
        }
    }
}

#[test]
fn fallbacks_are_frozen() {
    let y = smooth(30);
    let short = fit(&ModelSpec::SeasonalNaive { season_length: 7 }, &y[..5]);
    assert_eq!(short.fallback, Some(Fallback::ShortForSeason));
    let g = refilter(
        &ModelSpec::SeasonalNaive { season_length: 7 },
        &short,
        &y,
        None,
    );
    assert_eq!(g.fallback, Some(Fallback::ShortForSeason));
    assert_eq!(forecast(&g, 3), vec![y[29]; 3]);
    let ets = ModelSpec::AutoEts(EtsSpec::new(7, "ZZZ", None).unwrap());
    let too_short = fit(&ets, &[1.0, 2.0, 0.0, 3.0]);
    assert_eq!(too_short.fallback, Some(Fallback::TooShort));
    let g = refilter(&ets, &too_short, &y, None);
    assert_eq!(
        (g.fallback, forecast(&g, 1)),
        (Some(Fallback::TooShort), vec![y[29]])
    );
    let window = ModelSpec::WindowAverage { window_size: 10 };
    let avg = refilter(&window, &fit(&window, &y[..4]), &y, None);
    let mean = y.iter().sum::<f64>() / 30.0;
    assert!((forecast(&avg, 1)[0] - mean).abs() < 1e-12);
    assert_eq!(avg.fallback, Some(Fallback::ShortForWindow));
    // TSB without demand keeps forecasting 0; Croston without demand is Naive
    let tsb = ModelSpec::Tsb {
        alpha_d: 0.1,
        alpha_p: 0.1,
    };
    let none = fit(&tsb, &[0.0; 5]);
    let g = refilter(&tsb, &none, &sparse(20), None);
    assert_eq!(
        (forecast(&g, 1), g.fallback),
        (vec![0.0], Some(Fallback::NoDemand))
    );
    let cro = refilter(
        &ModelSpec::CrostonClassic,
        &fit(&ModelSpec::CrostonClassic, &[0.0; 5]),
        &[0.0, 0.0, 4.0],
        None,
    );
    assert_eq!(forecast(&cro, 1), vec![4.0]);
}

/// statsforecast's SES recursion (`f = x_0`, then `f = α x_{i−1} + (1 − α) f`).
fn sf_ses(alpha: f64, x: &[f64]) -> (f64, Vec<f64>) {
    let mut f = x[0];
    let mut fitted = vec![f64::NAN];
    for i in 1..=x.len() {
        f = alpha * x[i - 1] + (1.0 - alpha) * f;
        if i < x.len() {
            fitted.push(f);
        }
    }
    (f, fitted)
}

fn mean(f: &Fitted) -> f64 {
    forecast(f, 1)[0]
}

#[test]
fn ses_and_croston_optimized_keep_their_alphas() {
    let y = smooth(80);
    let f = fit(&ModelSpec::SesOptimized, &y[..50]);
    let Frozen::Ses { alpha } = f.frozen else {
        panic!("{:?}", f.frozen)
    };
    let (g, out) = fitted_values(&ModelSpec::SesOptimized, &f, &y);
    let (want, want_fitted) = sf_ses(alpha, &y);
    assert_eq!(mean(&g), want);
    assert_eq!(format!("{out:?}"), format!("{want_fitted:?}"));
    assert_ne!(
        alpha,
        match fit(&ModelSpec::SesOptimized, &y).frozen {
            Frozen::Ses { alpha } => alpha,
            _ => panic!(),
        }
    );

    let y = sparse(90);
    let f = fit(&ModelSpec::CrostonOptimized, &y[..60]);
    let Frozen::Croston { alpha_z, alpha_p } = f.frozen else {
        panic!()
    };
    let g = refilter(&ModelSpec::CrostonOptimized, &f, &y, None);
    let sizes: Vec<f64> = y.iter().copied().filter(|v| *v > 0.0).collect();
    let gaps = intermittent::intervals(&y);
    let want = sf_ses(alpha_z, &sizes).0 / sf_ses(alpha_p, &gaps).0;
    assert!((mean(&g) - want).abs() < 1e-12);
}

#[test]
fn aggregation_models_keep_level_and_alphas() {
    let y = sparse(70);
    let f = fit(&ModelSpec::Adida, &y[..47]);
    let Frozen::Adida { level: k, alpha } = f.frozen else {
        panic!()
    };
    let g = refilter(&ModelSpec::Adida, &f, &y, None);
    let start = y.len() % k;
    let sums: Vec<f64> = y[start..].chunks_exact(k).map(|c| c.iter().sum()).collect();
    assert!((mean(&g) - sf_ses(alpha, &sums).0 / k as f64).abs() < 1e-12);
    assert_eq!(g.frozen, Frozen::Adida { level: k, alpha });

    let f = fit(&ModelSpec::Imapa, &y[..47]);
    let Frozen::Imapa { alphas } = f.frozen.clone() else {
        panic!()
    };
    let g = refilter(&ModelSpec::Imapa, &f, &y, None);
    let levels: Vec<f64> = alphas
        .iter()
        .enumerate()
        .map(|(j, a)| {
            let k = j + 1;
            let sums: Vec<f64> = y[y.len() % k..]
                .chunks_exact(k)
                .map(|c| c.iter().sum())
                .collect();
            sf_ses(*a, &sums).0 / k as f64
        })
        .collect();
    let want = levels.iter().sum::<f64>() / levels.len() as f64;
    assert!((mean(&g) - want).abs() < 1e-12, "{} vs {want}", mean(&g));
}

#[test]
fn theta_keeps_its_parameters_and_adjustment_decision() {
    let y = smooth(84);
    for kind in [None, Some(Kind::Stm), Some(Kind::Dotm)] {
        let spec = ModelSpec::Theta {
            kind,
            season_length: 7,
            multiplicative: true,
        };
        let f = fit(&spec, &y[..63]);
        let Frozen::Theta(t) = f.frozen.clone() else {
            panic!()
        };
        assert_eq!(t.season, Some(decompose::Mode::Multiplicative));
        let g = refilter(&spec, &f, &y, None);
        // by hand: decompose the whole series in the frozen mode, run from the frozen values
        let s = decompose::seasonal_in(&y, 7, decompose::Mode::Multiplicative).unwrap();
        let run = state_space::run(&s.adjust(&y), t.kind, t.level0, t.alpha, t.theta);
        let State::Theta(st) = &g.state else { panic!() };
        assert_eq!(st.last, run.last);
        assert_eq!((st.n, st.alpha, st.theta), (84, t.alpha, t.theta));
        let h = forecast(&g, 7);
        for (j, v) in h.iter().enumerate() {
            let mu = {
                let mut probe = st.clone();
                probe.season = vec![];
                forecast_theta(&probe, j + 1)
            };
            assert!((v - mu * s.indices[(84 + j) % 7]).abs() < 1e-9);
        }
        assert_eq!(g.frozen, Frozen::Theta(t));
    }
}

fn forecast_theta(s: &state_space::ThetaState, k: usize) -> f64 {
    let mut out = vec![0.0; k];
    s.forecast_into(&mut out);
    out[k - 1]
}

/// ETS(A,A,A) and ETS(M,N,M) in the textbook form (Hyndman et al. 2008, table 2.1).
fn hand_ets(
    kind: &str,
    sm: &Smoothing,
    init: &EtsInit,
    y: &[f64],
) -> (f64, f64, Vec<f64>, Vec<f64>) {
    let (mut l, mut b, mut s) = (init.level, init.slope, init.season.clone());
    let m = s.len();
    let mut fitted = vec![];
    for (t, &v) in y.iter().enumerate() {
        let j = t % m;
        match kind {
            "AAA" => {
                let f = l + b + s[j];
                let e = v - f;
                fitted.push(f);
                let (l0, b0) = (l, b);
                l = l0 + b0 + sm.alpha * e;
                b = b0 + sm.beta * e;
                s[j] += sm.gamma * e;
            }
            _ => {
                let f = l * s[j];
                let e = (v - f) / f;
                fitted.push(f);
                let l0 = l;
                l = l0 * (1.0 + sm.alpha * e);
                s[j] *= 1.0 + sm.gamma * e;
            }
        }
    }
    let n = y.len();
    let season = (0..m).map(|i| s[(n + i) % m]).collect();
    (l, b, season, fitted)
}

#[test]
fn ets_keeps_model_smoothing_and_initial_states() {
    let y = smooth(120);
    for (code, spec) in [
        ("AAA", EtsSpec::new(7, "AAA", Some(false)).unwrap()),
        ("MNM", EtsSpec::new(7, "MNM", None).unwrap()),
    ] {
        let spec = ModelSpec::AutoEts(spec);
        let f = fit(&spec, &y[..84]);
        let (State::Ets(e), Frozen::Ets(init)) = (&f.state, &f.frozen) else {
            panic!()
        };
        assert_eq!(e.kind.code(), code);
        let (g, out) = fitted_values(&spec, &f, &y);
        let State::Ets(e2) = &g.state else { panic!() };
        let (l, b, season, fitted) = hand_ets(code, &e.smoothing, init, &y);
        let close = |a: f64, b: f64| (a - b).abs() < 1e-8 * b.abs().max(1.0);
        assert!(close(e2.level, l) && close(e2.slope, b), "{code}");
        assert!(e2.season.iter().zip(&season).all(|(a, b)| close(*a, *b)));
        assert!(out.iter().zip(&fitted).all(|(a, b)| close(*a, *b)));
        assert_eq!((e2.kind, e2.smoothing), (e.kind, e.smoothing));
        let k = if code == "AAA" {
            3 + 2 + 6 + 1
        } else {
            2 + 1 + 6 + 1
        };
        let sse: f64 = y
            .iter()
            .zip(&fitted)
            .map(|(v, f)| if code == "AAA" { v - f } else { (v - f) / f })
            .map(|e| e * e)
            .sum();
        assert!(close(e2.sigma2, sse / (120 - k - 1) as f64));
    }
}

#[test]
fn regression_wrapper_keeps_its_coefficients() {
    let price: Vec<f64> = (0..50).map(|t| 2.0 + f64::from(t % 3)).collect();
    let y: Vec<f64> = price
        .iter()
        .zip(smooth(50))
        .map(|(p, s)| s - 3.0 * p)
        .collect();
    let spec = ModelSpec::WithRegressors(Box::new(ModelSpec::SesOptimized));
    let x = |n: usize| Exog::new(&price[..n], 1, n).unwrap();
    let f = fit_x(&spec, &y[..35], x(35));
    let mut out = vec![0.0; 50];
    let g = refilter_x(&spec, &f, &y, x(50), Some(&mut out));
    let (State::Regressed(r0), State::Regressed(r1)) = (&f.state, &g.state) else {
        panic!()
    };
    assert_eq!(r0.reg, r1.reg);
    let adjusted = regressed::adjust(&r0.reg, &y, x(50));
    let mut inner_out = vec![0.0; 50];
    let inner = refilter(
        &ModelSpec::SesOptimized,
        &r0.inner,
        &adjusted,
        Some(&mut inner_out),
    );
    assert_eq!(r1.inner, inner);
    for t in 1..50 {
        let effect = (price[t] - r0.reg.xbar[0]) * r0.reg.beta[0];
        assert!((out[t] - inner_out[t] - effect).abs() < 1e-12);
    }
    assert_eq!(
        bytes(&refilter_x(&spec, &f, &y[..35], x(35), None)),
        bytes(&f)
    );
}

#[test]
fn fitted_values_match_statsforecast() {
    // statsforecast 2.1.1: _croston_classic([3, 0, 0, 5], 1, True)["fitted"] = [nan, 3, 3, 3]
    let (_, out) = fitted_values(
        &ModelSpec::CrostonClassic,
        &fit(&ModelSpec::CrostonClassic, &[3.0, 0.0, 0.0, 5.0]),
        &[3.0, 0.0, 0.0, 5.0],
    );
    assert!(out[0].is_nan() && out[1..] == [3.0, 3.0, 3.0]);
    // _tsb(y, 1, True, 0.2, 0.3)["fitted"][2:6] for y below; shelfcast: NaN before the
    // first demand (statsforecast: 0 at t = 1)
    let y = [0., 3., 0., 0., 5., 2., 0., 1., 0., 0., 0., 4., 0., 6.];
    let tsb = ModelSpec::Tsb {
        alpha_d: 0.2,
        alpha_p: 0.3,
    };
    let (_, out) = fitted_values(&tsb, &fit(&tsb, &y), &y);
    assert!(out[..2].iter().all(|v| v.is_nan()));
    for (a, b) in out[2..6].iter().zip([0.9, 0.63, 0.441, 1.36986]) {
        assert!((a - b).abs() < 1e-9, "{out:?}");
    }
    // _naive, _seasonal_naive
    let (_, out) = fitted_values(
        &ModelSpec::SeasonalNaive { season_length: 2 },
        &fit(&ModelSpec::SeasonalNaive { season_length: 2 }, &y),
        &y,
    );
    assert!(out[..2].iter().all(|v| v.is_nan()) && out[2..] == y[..12]);
}

#[test]
fn mstl_keeps_its_periods_and_refilters_its_trend_forecaster() {
    let y = smooth(100);
    let spec = ModelSpec::Mstl {
        periods: vec![7, 40],
        trend: Box::new(ModelSpec::SesOptimized),
    };
    // 60 observations: period 40 is dropped at fit and stays dropped
    let f = fit(&spec, &y[..60]);
    assert_eq!(f.fallback, Some(Fallback::SeasonDropped));
    let (g, out) = fitted_values(&spec, &f, &y);
    assert_eq!(g.fallback, Some(Fallback::SeasonDropped));
    let (State::Mstl(m0), State::Mstl(m1)) = (&f.state, &g.state) else {
        panic!()
    };
    assert_eq!(m1.cycles.len(), 1);
    let d = crate::forecast::models::decompose::mstl(&y, &[7], None, None).unwrap();
    let adjusted = d.deseasonalized();
    let mut trend_out = vec![0.0; 100];
    let trend = refilter(
        &ModelSpec::SesOptimized,
        &m0.trend,
        &adjusted,
        Some(&mut trend_out),
    );
    assert_eq!(bytes(&m1.trend), bytes(&trend));
    assert_eq!(m1.cycles[0], d.seasonals[0].1[93..].to_vec());
    assert_eq!(m0.trend.frozen, m1.trend.frozen); // the trend model's alpha stays
    for t in 1..100 {
        assert!((out[t] - trend_out[t] - d.seasonals[0].1[t]).abs() < 1e-12);
    }
}
