//! Comparison with statsforecast: an ignored test that reads the series and the
//! statsforecast results written by `benchmarks/oracle_arima.py dump`, fits the same
//! models natively and writes `rust_fixed.csv` / `rust_auto.csv` for `compare`:
//!
//! ```text
//! python benchmarks/oracle_arima.py dump --n 200 --out /tmp/arima_oracle
//! ARIMA_ORACLE_DIR=/tmp/arima_oracle cargo test --release --no-default-features --lib \
//!     arima::oracle -- --ignored --nocapture
//! python benchmarks/oracle_arima.py compare --out /tmp/arima_oracle
//! ```
//! `ARIMA_ORACLE_LIKELIHOOD=exact` runs the exact likelihood instead of statsforecast's.

use super::{auto_search, fit, AutoConfig, Config, Likelihood, Method, Order};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

/// Split a CSV line, honouring double quotes.
fn split(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn read(path: &std::path::Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut lines = text.lines();
    let head = lines.next().map(split).unwrap_or_default();
    lines
        .map(|l| head.iter().cloned().zip(split(l)).collect())
        .collect()
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn json_list(v: &[f64]) -> String {
    let items: Vec<String> = v.iter().map(|x| format!("{x:e}")).collect();
    format!("[{}]", items.join(", "))
}

fn json_coef(m: &super::ArimaModel) -> String {
    let items: Vec<String> = m
        .coef_names()
        .iter()
        .zip(&m.coef)
        .map(|(k, v)| format!("\"{k}\": {v:e}"))
        .collect();
    format!("{{{}}}", items.join(", "))
}

fn spec(name: &str) -> Option<(Order, bool)> {
    Some(match name {
        "101_mean" => (Order::new(1, 0, 1), true),
        "211" => (Order::new(2, 1, 1), false),
        "011_011_7" => (Order::seasonal(0, 1, 1, 0, 1, 1, 7), false),
        "100_100_7_mean" => (Order::seasonal(1, 0, 0, 1, 0, 0, 7), true),
        _ => return None,
    })
}

#[test]
#[ignore = "needs ARIMA_ORACLE_DIR from benchmarks/oracle_arima.py dump"]
fn oracle() {
    let Ok(dir) = std::env::var("ARIMA_ORACLE_DIR") else {
        eprintln!("ARIMA_ORACLE_DIR not set");
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let likelihood = match std::env::var("ARIMA_ORACLE_LIKELIHOOD").as_deref() {
        Ok("exact") => Likelihood::Exact,
        _ => Likelihood::Statsforecast,
    };
    let mut series: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for r in read(&dir.join("series.csv")) {
        series
            .entry(r["unique_id"].clone())
            .or_default()
            .push(r["y"].parse().unwrap_or(f64::NAN));
    }
    let h = 14;
    let mut out = String::from("unique_id,spec,method,ok,coef,sigma2,loglik,aicc,mean,se,error\n");
    let skip = std::env::var("ARIMA_ORACLE_SKIP").unwrap_or_default();
    for r in read(&dir.join("sf_fixed.csv"))
        .into_iter()
        .filter(|_| !skip.contains("fixed"))
    {
        let (uid, name, method) = (&r["unique_id"], &r["spec"], &r["method"]);
        let (Some(y), Some((order, mean))) = (series.get(uid), spec(name)) else {
            continue;
        };
        let mut cfg = Config::new(order);
        cfg.include_mean = mean;
        cfg.likelihood = likelihood;
        cfg.method = match method.as_str() {
            "ML" => Method::Ml,
            "CSS" => Method::Css,
            _ => Method::CssMl,
        };
        let forward = method == "forward";
        let res = if forward {
            fit(&y[..y.len() - 28], &[], 0, &cfg).and_then(|m| m.refilter(y, &[]))
        } else {
            fit(y, &[], 0, &cfg)
        };
        let (mut mu, mut var) = (vec![0.0; h], vec![0.0; h]);
        match res {
            Ok(m) => {
                m.forecast(h, &[], &mut mu, &mut var);
                let se: Vec<f64> = var.iter().map(|v| v.sqrt()).collect();
                let _ = writeln!(
                    out,
                    "{uid},{name},{method},1,{},{:e},{:e},{:e},{},{},",
                    quote(&json_coef(&m)),
                    m.sigma2,
                    m.loglik,
                    m.aicc,
                    quote(&json_list(&mu)),
                    quote(&json_list(&se))
                );
            }
            Err(e) => {
                let _ = writeln!(
                    out,
                    "{uid},{name},{method},0,,,,,,{}",
                    quote(&e.to_string())
                );
            }
        }
    }
    // Regression with ARIMA errors (benchmarks/oracle_arima.py: y = 5 + 3 price + AR(1)).
    let mut xs: BTreeMap<String, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for r in read(&dir.join("xreg_series.csv")) {
        let e = xs.entry(r["unique_id"].clone()).or_default();
        e.0.push(r["y"].parse().unwrap_or(f64::NAN));
        e.1.push(r["price"].parse().unwrap_or(f64::NAN));
    }
    for (uid, (y, price)) in xs.iter().filter(|_| !skip.contains("fixed")) {
        let n = y.len() - h;
        let mut cfg = Config::new(Order::new(1, 0, 0));
        cfg.likelihood = likelihood;
        if let Ok(m) = fit(&y[..n], &price[..n], 1, &cfg) {
            let (mut mu, mut var) = (vec![0.0; h], vec![0.0; h]);
            m.forecast(h, &price[n..], &mut mu, &mut var);
            let se: Vec<f64> = var.iter().map(|v| v.sqrt()).collect();
            let _ = writeln!(
                out,
                "{uid},xreg_100,CSS-ML,1,{},{:e},{:e},{:e},{},{},",
                quote(&json_coef(&m)),
                m.sigma2,
                m.loglik,
                m.aicc,
                quote(&json_list(&mu)),
                quote(&json_list(&se))
            );
        }
    }
    if !skip.contains("fixed") {
        let _ = std::fs::write(dir.join("rust_fixed.csv"), out);
    }
    if skip.contains("auto") {
        return;
    }

    let mut out = String::from("unique_id,p,q,P,Q,constant,coef,aicc,mean,seconds\n");
    let cfg = AutoConfig {
        likelihood,
        ..AutoConfig::default()
    };
    let limit: usize = std::env::var("ARIMA_ORACLE_LIMIT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(usize::MAX);
    for r in read(&dir.join("sf_auto.csv")).into_iter().take(limit) {
        let uid = &r["unique_id"];
        let Some(y) = series.get(uid) else { continue };
        let d: usize = r["d"].parse().unwrap_or(0);
        let sd: usize = r["D"].parse().unwrap_or(0);
        let t0 = Instant::now();
        let res = auto_search(y, &[], 0, d, sd, 7, &cfg);
        let (mut mu, mut var) = (vec![0.0; h], vec![0.0; h]);
        if let Ok(m) = &res {
            m.forecast(h, &[], &mut mu, &mut var);
        }
        let secs = t0.elapsed().as_secs_f64();
        match res {
            Ok(m) => {
                let o = m.order;
                let _ = writeln!(
                    out,
                    "{uid},{},{},{},{},{},{},{:e},{},{secs:e}",
                    o.p,
                    o.q,
                    o.sp,
                    o.sq,
                    u8::from(m.has_intercept || m.has_drift),
                    quote(&json_coef(&m)),
                    m.aicc,
                    quote(&json_list(&mu)),
                );
            }
            Err(e) => eprintln!("{uid}: {e}"),
        }
    }
    let _ = std::fs::write(dir.join("rust_auto.csv"), out);
}

#[test]
#[ignore = "debugging aid: ARIMA_ORACLE_DIR, ARIMA_UID, ARIMA_SPEC, ARIMA_METHOD"]
fn trace_one() {
    let (Ok(dir), Ok(uid)) = (
        std::env::var("ARIMA_ORACLE_DIR"),
        std::env::var("ARIMA_UID"),
    ) else {
        return;
    };
    let y: Vec<f64> = read(&std::path::PathBuf::from(dir).join("series.csv"))
        .into_iter()
        .filter(|r| r["unique_id"] == uid)
        .map(|r| r["y"].parse().unwrap_or(f64::NAN))
        .collect();
    let spec_name = std::env::var("ARIMA_SPEC").unwrap_or_default();
    let (order, mean) = match spec(&spec_name) {
        Some(s) => s,
        None => {
            let v: Vec<usize> = spec_name
                .split(',')
                .filter_map(|t| t.parse().ok())
                .collect();
            if v.len() != 7 {
                return;
            }
            (
                Order::seasonal(v[0], v[1], v[2], v[3], v[4], v[5], 7),
                v[6] == 1,
            )
        }
    };
    let mut cfg = Config::new(order);
    cfg.include_mean = mean;
    cfg.include_drift = mean;
    cfg.method = match std::env::var("ARIMA_METHOD").as_deref() {
        Ok("ML") => Method::Ml,
        Ok("CSS") => Method::Css,
        _ => Method::CssMl,
    };
    match fit(&y, &[], 0, &cfg) {
        Ok(m) => eprintln!("{:?} loglik {} code {}", m.coef, m.loglik, m.code),
        Err(e) => eprintln!("{e}"),
    }
}

#[test]
#[ignore = "debugging aid: ARIMA_ORACLE_DIR, ARIMA_UID, ARIMA_D"]
fn trace_auto() {
    let (Ok(dir), Ok(uid)) = (
        std::env::var("ARIMA_ORACLE_DIR"),
        std::env::var("ARIMA_UID"),
    ) else {
        return;
    };
    let y: Vec<f64> = read(&std::path::PathBuf::from(dir).join("series.csv"))
        .into_iter()
        .filter(|r| r["unique_id"] == uid)
        .map(|r| r["y"].parse().unwrap_or(f64::NAN))
        .collect();
    let d: usize = std::env::var("ARIMA_D")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let t0 = Instant::now();
    let r = auto_search(&y, &[], 0, d, 0, 7, &AutoConfig::default());
    eprintln!("{:?} {:?}", r.map(|m| m.order), t0.elapsed());
}

#[test]
#[ignore = "timing aid"]
fn bench_eval() {
    use super::likelihood::Problem;
    let mut y: Vec<f64> = (0..739)
        .map(|t| ((t * 7919) % 13) as f64 + (t % 7) as f64)
        .collect();
    if let (Ok(dir), Ok(uid)) = (
        std::env::var("ARIMA_ORACLE_DIR"),
        std::env::var("ARIMA_UID"),
    ) {
        y = read(&std::path::PathBuf::from(dir).join("series.csv"))
            .into_iter()
            .filter(|r| r["unique_id"] == uid)
            .map(|r| r["y"].parse().unwrap_or(f64::NAN))
            .collect();
    }
    for (o, free) in [
        (
            Order::seasonal(1, 1, 2, 2, 0, 0, 7),
            vec![-0.57, -0.247, -0.653, -0.055, -0.093],
        ),
        (Order::new(1, 1, 1), vec![0.3, -0.5]),
        (Order::new(2, 0, 2), vec![0.3, 0.1, -0.5, 0.1]),
        (
            Order::seasonal(1, 1, 2, 2, 0, 0, 7),
            vec![0.3, -0.5, 0.1, 0.2, 0.1],
        ),
        (Order::seasonal(0, 1, 1, 0, 1, 1, 7), vec![-0.5, -0.5]),
        (
            Order::seasonal(2, 0, 2, 1, 0, 1, 7),
            vec![0.3, 0.1, -0.5, 0.1, 0.2, 0.1],
        ),
    ] {
        for lik in [Likelihood::Statsforecast, Likelihood::Exact] {
            let k = free.len();
            let mut prob = Problem::new(&y, &[], 0, o, vec![f64::NAN; k], vec![true; k], 1e6, lik);
            let t0 = Instant::now();
            let reps = 300;
            let mut acc = 0.0;
            for i in 0..reps {
                let mut x = free.clone();
                x[0] += i as f64 * 1e-9;
                acc += prob.ml_value(&x, true);
            }
            let css0 = Instant::now();
            for i in 0..reps {
                let mut x = free.clone();
                x[0] += i as f64 * 1e-9;
                acc += prob.css_value(&x);
            }
            eprintln!(
                "{o:?} {lik:?}: ml {:?}/eval, css {:?}/eval ({acc:.3})",
                (css0 - t0) / reps,
                css0.elapsed() / reps
            );
        }
    }
}
