//! Unit tests of the public API: likelihood against direct formulas, forecasts of known
//! models, statsforecast reference fits, regression with ARIMA errors, refiltering,
//! simulation, persistence and failures.

use super::likelihood::Problem;
use super::*;
use crate::forecast::codec::{Reader, Writer};
use crate::forecast::models::ets::simulate::Normal;
use crate::ml::rng::Rng;

/// `python /tmp/ref.py`: rng = np.random.default_rng(42); e = rng.normal(size=80);
/// y[t] = 0.6 y[t-1] + e[t] + 0.3 e[t-1]; y = round(y + 10, 6).
const Y: [f64; 80] = [
    10.0, 9.051431, 9.869315, 11.087289, 8.983508, 7.502614, 8.238755, 8.665363, 9.087544,
    8.594442, 9.78015, 10.909701, 10.845189, 11.654164, 11.79818, 10.359868, 10.326884, 9.347873,
    10.199509, 10.333315, 10.000149, 9.263701, 10.576483, 10.558123, 9.860187, 9.43548, 10.087957,
    10.577911, 10.869113, 11.076108, 12.916559, 11.986015, 10.557442, 9.367019, 9.992059,
    11.309002, 11.010145, 9.731746, 8.76252, 9.66076, 10.734888, 11.207063, 10.221675, 10.165513,
    10.285642, 10.42508, 11.192083, 11.200274, 11.466157, 11.150947, 10.999961, 11.318001,
    9.523031, 8.957001, 8.807926, 8.504766, 8.636054, 10.594031, 9.93907, 10.671971, 9.010796,
    8.566732, 9.202327, 10.156444, 10.98096, 11.595291, 10.846454, 9.940903, 10.683812, 10.476376,
    8.952748, 7.855656, 7.453955, 8.693698, 9.507793, 10.437889, 10.042626, 10.05594, 10.706716,
    10.30236,
];

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

fn forecast(m: &ArimaModel, h: usize) -> (Vec<f64>, Vec<f64>) {
    let (mut mu, mut var) = (vec![0.0; h], vec![0.0; h]);
    m.forecast(h, &[], &mut mu, &mut var);
    (mu, var)
}

#[test]
fn ar1_likelihood_is_the_direct_formula() {
    let y = &Y[..30];
    let phi: f64 = 0.5;
    let o = Order::new(1, 0, 0);
    let mut prob = Problem::new(
        y,
        &[],
        0,
        o,
        vec![f64::NAN],
        vec![true],
        1e6,
        Likelihood::Exact,
    );
    let got = prob.ml_value(&[phi], false);
    // y₁ ~ N(0, 1/(1-φ²)), y_t | y_{t-1} ~ N(φ y_{t-1}, 1); concentrated over σ².
    let g0 = 1.0 / (1.0 - phi * phi);
    let mut ssq = y[0] * y[0] / g0;
    for t in 1..y.len() {
        ssq += (y[t] - phi * y[t - 1]).powi(2);
    }
    let n = y.len() as f64;
    let want = 0.5 * ((ssq / n).ln() + g0.ln() / n);
    assert!(close(got, want, 1e-13), "{got} vs {want}");
}

/// Order, mean, method, coefficients, sigma2, loglik, 3 means, 3 standard errors.
type Case<'a> = (Order, bool, Method, &'a [f64], f64, f64, [f64; 3], [f64; 3]);

#[test]
fn statsforecast_reference_fits() {
    // Values from statsforecast 2.1.1 (`Arima(y, order, include_mean, method)`, then
    // `forecast_arima(h=3, level=[95])`), see the comment on `Y`.
    let cases: [Case<'_>; 3] = [
        (
            Order::new(1, 0, 1),
            true,
            Method::Ml,
            &[
                0.453_657_697_880_078_76,
                0.389_989_964_694_362_37,
                10.075_484_084_222_033,
            ],
            0.600_935_816_341_995_9,
            -91.976_155_852_483_88,
            [
                10.067_870_079_305_754,
                10.072_029_932_280_067,
                10.073_917_081_603_913,
            ],
            [
                0.775_200_500_736_419_6,
                1.014_222_215_636_020_6,
                1.056_726_962_324_264,
            ],
        ),
        (
            Order::new(1, 0, 1),
            true,
            Method::CssMl,
            &[
                0.453_657_695_065_802_8,
                0.389_989_962_408_594_6,
                10.075_484_121_806_042,
            ],
            0.600_935_816_409_188_6,
            -91.976_155_852_483_86,
            [
                10.067_870_095_105_587,
                10.072_029_960_002_943,
                10.073_917_114_724_065,
            ],
            [
                0.775_200_500_779_758_9,
                1.014_222_213_146_37,
                1.056_726_958_916_212,
            ],
        ),
        (
            Order::new(0, 1, 1),
            false,
            Method::CssMl,
            &[0.165_504_447_052_722],
            0.777_244_209_368_213,
            -101.652_747_502_721_33,
            [10.218_071_465_771_658; 3],
            [
                0.881_614_546_935_457_6,
                1.353_902_958_942_736,
                1.699_665_330_322_289_7,
            ],
        ),
    ];
    for (order, mean, method, coef, sigma2, loglik, mu, se) in cases {
        let mut cfg = Config::new(order);
        cfg.include_mean = mean;
        cfg.method = method;
        let m = fit(&Y, &[], 0, &cfg).unwrap();
        for (a, b) in m.coef.iter().zip(coef) {
            assert!(
                close(*a, *b, 1e-6),
                "{order:?} {method:?}: {:?} vs {coef:?}",
                m.coef
            );
        }
        assert!(close(m.sigma2, sigma2, 1e-7), "{} vs {sigma2}", m.sigma2);
        assert!(close(m.loglik, loglik, 1e-10), "{} vs {loglik}", m.loglik);
        let (f, v) = forecast(&m, 3);
        for k in 0..3 {
            assert!(close(f[k], mu[k], 1e-6), "{f:?} vs {mu:?}");
            assert!(close(v[k].sqrt(), se[k], 1e-6), "{v:?} vs {se:?}");
        }
    }
}

#[test]
fn css_coefficients_match_statsforecast() {
    // statsforecast: Arima(y, (1,0,0), method="CSS") -> ar1 0.6538168124849482,
    // intercept 10.079433367455968, sigma2 0.6534825139311908.
    let mut cfg = Config::new(Order::new(1, 0, 0));
    cfg.method = Method::Css;
    let m = fit(&Y, &[], 0, &cfg).unwrap();
    assert!(
        close(m.coef[0], 0.653_816_812_484_948_2, 1e-7),
        "{:?}",
        m.coef
    );
    assert!(
        close(m.coef[1], 10.079_433_367_455_968, 1e-7),
        "{:?}",
        m.coef
    );
    assert!(close(m.sigma2, 0.653_482_513_931_190_8, 1e-7));
    assert!(m.aic.is_nan());
    // Forecasts come from the filtered state (statsforecast's stay at the intercept).
    let (f, _) = forecast(&m, 2);
    let want = m.coef[1] + m.coef[0] * (Y[79] - m.coef[1]);
    assert!(close(f[0], want, 1e-9), "{f:?} {want}");
}

/// A model with every coefficient fixed, fitted on `y`.
fn fixed_model(order: Order, coef: &[f64], y: &[f64]) -> ArimaModel {
    let mut cfg = Config::new(order);
    cfg.fixed = Some(coef.iter().map(|&c| Some(c)).collect());
    cfg.likelihood = Likelihood::Exact;
    fit(y, &[], 0, &cfg).unwrap()
}

#[test]
fn forecasts_of_known_models() {
    // AR(1) around mu: f_k = mu + phi^k (y_n - mu), var_k = s2 (1 + phi² + … + phi^{2(k-1)}).
    let (phi, mu) = (0.7, 10.0);
    let m = fixed_model(Order::new(1, 0, 0), &[phi, mu], &Y);
    let (f, v) = forecast(&m, 4);
    let mut acc = 0.0;
    for k in 0..4 {
        let want = mu + phi.powi(k as i32 + 1) * (Y[79] - mu);
        assert!(close(f[k], want, 1e-12), "{f:?}");
        acc += phi.powi(2 * k as i32);
        assert!(close(v[k], m.sigma2 * acc, 1e-12), "{v:?}");
    }
    // MA(1): one step uses the last innovation, then the mean; var_2 = s2 (1 + θ²).
    let theta = 0.4;
    let m = fixed_model(Order::new(0, 0, 1), &[theta, mu], &Y);
    let (f, v) = forecast(&m, 3);
    assert!(close(f[1], mu, 1e-12) && close(f[2], mu, 1e-12), "{f:?}");
    assert!(close(v[0], m.sigma2, 1e-9) && close(v[1], m.sigma2 * (1.0 + theta * theta), 1e-12));
    // Random walk: flat at the last value, variance grows linearly.
    let m = fixed_model(Order::new(0, 1, 0), &[], &Y);
    let (f, v) = forecast(&m, 3);
    assert!(f.iter().all(|&x| close(x, Y[79], 1e-9)), "{f:?}");
    assert!(close(v[2], 3.0 * v[0], 1e-9), "{v:?}");
}

#[test]
fn regression_with_ar1_errors_recovers_the_coefficient() {
    let n = 300;
    let mut rng = Normal::new(Rng::new(7, 0));
    let price: Vec<f64> = (0..n)
        .map(|t| 2.0 + (t as f64 * 0.37).sin() + 0.2 * rng.draw())
        .collect();
    let mut u = 0.0;
    let y: Vec<f64> = price
        .iter()
        .map(|p| {
            u = 0.6 * u + 0.5 * rng.draw();
            5.0 + 3.0 * p + u
        })
        .collect();
    let mut cfg = Config::new(Order::new(1, 0, 0));
    cfg.likelihood = Likelihood::Exact;
    let m = fit(&y, &price, 1, &cfg).unwrap();
    assert_eq!(m.coef_names(), vec!["ar1", "intercept", "ex_1"]);
    assert!((m.coef[2] - 3.0).abs() < 0.15, "{:?}", m.coef);
    assert!((m.coef[0] - 0.6).abs() < 0.15, "{:?}", m.coef);
    // statsforecast 2.1.1 on the same data (ARIMA((1,0,0)), X=price) agrees to 1e-6; here:
    // the future regressor enters the forecast.
    let (mut f1, mut f2, mut v) = (vec![0.0; 2], vec![0.0; 2], vec![0.0; 2]);
    m.forecast(2, &[1.0, 1.0], &mut f1, &mut v);
    m.forecast(2, &[2.0, 2.0], &mut f2, &mut v);
    assert!(close(f2[1] - f1[1], m.coef[2], 1e-12));
}

#[test]
fn refilter_on_the_same_series_keeps_the_state() {
    let cfg = Config::new(Order::new(1, 0, 1));
    let m = fit(&Y, &[], 0, &cfg).unwrap();
    let again = m.refilter(&Y, &[]).unwrap();
    let (f1, v1) = forecast(&m, 5);
    let (f2, v2) = forecast(&again, 5);
    for k in 0..5 {
        assert!(close(f1[k], f2[k], 1e-12) && close(v1[k], v2[k], 1e-12));
    }
    // A longer series moves the state but not the coefficients.
    let longer = m.refilter(&[&Y[..], &[12.0, 13.0]].concat(), &[]).unwrap();
    assert_eq!(longer.coef, m.coef);
    assert_eq!(longer.n, 82);
    assert_ne!(forecast(&longer, 1).0, f1[..1].to_vec());
}

#[test]
fn fitted_values_are_y_minus_residuals() {
    let m = fixed_model(Order::new(1, 0, 0), &[0.5, 10.0], &Y);
    let fv = m.fitted_values(&Y, &[]).unwrap();
    // After the first step the standardised innovation is the plain one.
    let want = 10.0 + 0.5 * (Y[9] - 10.0);
    assert!(close(fv[10], want, 1e-12), "{} {want}", fv[10]);
    assert_eq!(fv.len(), Y.len());
}

#[test]
fn simulation_is_consistent_with_the_forecast() {
    let m = fixed_model(Order::new(1, 0, 1), &[0.5, 0.3, 10.0], &Y);
    let (h, paths) = (3, 4000);
    let mut out = vec![0.0; h * paths];
    m.simulate(h, paths, &[], &mut Normal::new(Rng::new(1, 2)), &mut out);
    let (f, v) = forecast(&m, h);
    for k in 0..h {
        let xs: Vec<f64> = (0..paths).map(|p| out[p * h + k]).collect();
        let mean = xs.iter().sum::<f64>() / paths as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / paths as f64;
        assert!(
            (mean - f[k]).abs() < 4.0 * (v[k] / paths as f64).sqrt(),
            "{mean} {}",
            f[k]
        );
        assert!((var / v[k] - 1.0).abs() < 0.1, "{var} {}", v[k]);
    }
    let mut zero = m.clone();
    zero.sigma2 = 0.0;
    let mut out = vec![0.0; h * 2];
    zero.simulate(h, 2, &[], &mut Normal::new(Rng::new(1, 2)), &mut out);
    for k in 0..h {
        assert!(close(out[k], f[k], 1e-12) && close(out[h + k], f[k], 1e-12));
    }
}

#[test]
fn persistence_round_trip_and_rejections() {
    let mut cfg = Config::new(Order::seasonal(1, 1, 1, 0, 0, 1, 7));
    cfg.include_drift = true;
    let m = fit(&Y, &[], 0, &cfg).unwrap();
    assert!(m.has_drift && !m.has_intercept);
    let mut w = Writer::default();
    m.encode(&mut w);
    let mut r = Reader::new(&w.buf);
    let back = ArimaModel::decode(&mut r).unwrap();
    r.finish().unwrap();
    assert_eq!(back, m);
    for cut in [0, 1, 10, w.buf.len() / 2, w.buf.len() - 1] {
        assert!(
            ArimaModel::decode(&mut Reader::new(&w.buf[..cut])).is_err(),
            "cut {cut}"
        );
    }
    let mut bad = w.buf.clone();
    bad[0] = 99; // version
    assert!(ArimaModel::decode(&mut Reader::new(&bad)).is_err());
    let mut bad = w.buf.clone();
    bad[1] = 60; // p = 60
    assert!(ArimaModel::decode(&mut Reader::new(&bad)).is_err());
    let mut bad = w.buf.clone();
    bad[1] = 2; // p = 2: coefficients no longer match
    assert!(ArimaModel::decode(&mut Reader::new(&bad)).is_err());
    assert!(ArimaModel::decode(&mut Reader::new(&[1, 255, 255, 255, 255])).is_err());
}

#[test]
fn failures_are_errors() {
    let cfg = Config::new(Order::new(1, 1, 1));
    assert!(matches!(
        fit(&[1.0], &[], 0, &cfg),
        Err(ArimaError::TooShort { .. })
    ));
    assert!(matches!(
        fit(&[1.0, f64::NAN, 2.0], &[], 0, &cfg),
        Err(ArimaError::Invalid(_))
    ));
    assert!(matches!(
        fit(&Y, &[1.0; 3], 1, &cfg),
        Err(ArimaError::Invalid(_))
    ));
    let mut c = cfg.clone();
    c.fixed = Some(vec![Some(0.1)]);
    assert!(matches!(fit(&Y, &[], 0, &c), Err(ArimaError::Invalid(_))));
    let mut c = cfg.clone();
    c.order.period = 0;
    assert!(matches!(fit(&Y, &[], 0, &c), Err(ArimaError::Invalid(_))));
    // A CSS start with a non-stationary AR part (an explosive series).
    let explosive: Vec<f64> = (0..40).map(|t| 1.3f64.powi(t)).collect();
    let c = Config::new(Order::new(1, 0, 0));
    let r = fit(&explosive, &[], 0, &c);
    assert!(
        matches!(r, Err(ArimaError::NonStationary { seasonal: false })),
        "{r:?}"
    );
    assert!(ArimaError::NonStationary { seasonal: true }
        .to_string()
        .contains("seasonal"));
}

#[test]
fn search_picks_a_sensible_model() {
    let m = auto_search(&Y, &[], 0, 0, 0, 1, &AutoConfig::default()).unwrap();
    // statsforecast's AutoARIMA() on Y (d = 0 by its KPSS test) chooses ARIMA(0,0,2) with
    // non-zero mean: ma1 0.8510686048633339, ma2 0.3531321023918447, aicc 191.1729802832643.
    assert_eq!(
        (m.order.p, m.order.q, m.has_intercept),
        (0, 2, true),
        "{:?}",
        m.order
    );
    assert!(
        close(m.coef[0], 0.851_068_604_863_333_9, 1e-6),
        "{:?}",
        m.coef
    );
    assert!(close(m.aicc, 191.172_980_283_264_3, 1e-9), "{}", m.aicc);
    let flat = auto_search(&[3.0; 20], &[], 0, 0, 0, 7, &AutoConfig::default()).unwrap();
    assert_eq!(forecast(&flat, 2), (vec![3.0; 2], vec![0.0; 2]));
    let grid = AutoConfig {
        stepwise: false,
        ..AutoConfig::default()
    };
    let g = auto_search(&Y, &[], 0, 0, 0, 1, &grid).unwrap();
    assert!(g.aicc <= m.aicc + 1e-9);
}

#[test]
fn exact_likelihood_of_integrated_models_is_the_differenced_series_likelihood() {
    // The first evaluation of the statsforecast-compatible objective is the diffuse filter
    // over y (R's likelihood); the exact objective filters the differenced series instead.
    let walk: Vec<f64> = Y
        .iter()
        .scan(0.0, |s, v| {
            *s += v;
            Some(*s)
        })
        .collect();
    for (o, coef) in [
        (Order::new(1, 1, 1), vec![0.4, -0.3]),
        (Order::seasonal(0, 1, 1, 0, 1, 1, 7), vec![-0.6, -0.5]),
        (Order::seasonal(1, 1, 0, 1, 0, 0, 4), vec![0.2, 0.3]),
    ] {
        let k = coef.len();
        let value = |lik, kappa| {
            let mut p = Problem::new(
                &walk,
                &[],
                0,
                o,
                vec![f64::NAN; k],
                vec![true; k],
                kappa,
                lik,
            );
            p.ml_value(&coef, false)
        };
        let diff = value(Likelihood::Exact, 1e6);
        // R's κ = 1e6 diffuse filter is within O(1/κ) of the limit (seen: 7e-11 for
        // (1,1,1), 4e-6 relative with the 8 differencing states of (0,1,1)(0,1,1)₇)
        let full = value(Likelihood::Statsforecast, 1e6);
        assert!(close(full, diff, 1e-5), "{o:?}: {full} vs {diff}");
    }
}
