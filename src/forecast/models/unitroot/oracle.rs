//! The Rust half of `benchmarks/oracle_stl.py` (ignored test): reads the cases the script
//! wrote to `$SHELFCAST_ORACLE_DIR/cases.txt`, one per line as `id|kind|args|y` (values
//! space-separated), runs STL, MSTL and the differencing tests on them and writes
//! `id|name|values` lines to `rust.txt` for the script to compare with statsmodels and
//! statsforecast. `time_mstl` cases report seconds per call.

use super::super::decompose::{mstl, stl, StlParams};
use super::{kpss, ndiffs, nsdiffs, ocsb, seas_heuristic, SeasonalTest};
use std::fmt::Write as _;
use std::time::Instant;

fn nums(v: &[f64]) -> String {
    let mut s = String::new();
    for (i, x) in v.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        let _ = write!(s, "{x:?}");
    }
    s
}

fn run_case(id: &str, kind: &str, args: &[&str], y: &[f64], out: &mut String) {
    let arg = |i: usize| -> usize { args.get(i).and_then(|a| a.parse().ok()).unwrap_or(0) };
    let periods = |s: &str| -> Vec<usize> { s.split(',').filter_map(|p| p.parse().ok()).collect() };
    let mut line = |name: &str, v: &[f64]| {
        let _ = writeln!(out, "{id}|{name}|{}", nums(v));
    };
    match kind {
        "stl" => {
            let mut p = StlParams::new(arg(0)).seasonal(arg(1)).seasonal_deg(arg(2));
            p.robust = arg(3) == 1;
            if args.len() > 5 {
                (p.inner_iter, p.outer_iter) = (Some(arg(4)), Some(arg(5)));
            }
            match p.check().and_then(|v| stl(y, &v)) {
                Ok(r) => {
                    line("seasonal", &r.seasonal);
                    line("trend", &r.trend);
                    line("resid", &r.resid);
                    line("weights", &r.weights);
                }
                Err(e) => line(&format!("error {e}"), &[]),
            }
        }
        "mstl" => match mstl(y, &periods(args.first().copied().unwrap_or("")), None, None) {
            Ok(m) => {
                line("trend", &m.trend);
                for (p, s) in &m.seasonals {
                    line(&format!("seasonal{p}"), s);
                }
                line("remainder", &m.remainder);
                let d: Vec<f64> = m.dropped.iter().map(|&p| p as f64).collect();
                line("dropped", &d);
                line(
                    "strength",
                    &m.seasonal_strength()
                        .iter()
                        .map(|s| s.1)
                        .collect::<Vec<_>>(),
                );
                line("forecast", &m.seasonal_forecast(30));
            }
            Err(e) => line(&format!("error {e}"), &[]),
        },
        "kpss" => {
            let k = kpss(y, arg(0));
            line(
                "kpss",
                &k.map_or(vec![f64::NAN; 2], |k| vec![k.stat, k.p_value]),
            );
        }
        "ndiffs" => line("ndiffs", &[ndiffs(y, 0.05, 2) as f64]),
        "nsdiffs" => {
            let test = if args.get(1) == Some(&"ocsb") {
                SeasonalTest::Ocsb
            } else {
                SeasonalTest::Seas
            };
            line("nsdiffs", &[nsdiffs(y, arg(0), 1, test) as f64]);
        }
        "seas" => line("seas", &[seas_heuristic(y, arg(0))]),
        "ocsb" => {
            let o = ocsb(y, arg(0), 3);
            line(
                "ocsb",
                &o.map_or(vec![f64::NAN; 3], |o| {
                    vec![o.stat, o.critical, o.lag as f64]
                }),
            );
        }
        "ocsbfix" => {
            let f = super::ocsb::fit(y, arg(0), arg(2), arg(3), arg(1) == 1);
            let t = f.and_then(|f| f.t_value(arg(2) + 1)).unwrap_or(f64::NAN);
            line("ocsbfix", &[t]);
        }
        "time_mstl" => {
            let (ps, reps) = (periods(args.first().copied().unwrap_or("")), arg(1).max(1));
            let start = Instant::now();
            for _ in 0..reps {
                std::hint::black_box(mstl(std::hint::black_box(y), &ps, None, None).ok());
            }
            line("seconds", &[start.elapsed().as_secs_f64() / reps as f64]);
        }
        _ => line("error unknown kind", &[]),
    }
}

#[test]
#[ignore = "run by benchmarks/oracle_stl.py"]
fn oracle_stl() {
    let Ok(dir) = std::env::var("SHELFCAST_ORACLE_DIR") else {
        return;
    };
    let cases = std::fs::read_to_string(format!("{dir}/cases.txt")).unwrap_or_default();
    let mut out = String::new();
    for line in cases.lines() {
        let parts: Vec<&str> = line.splitn(4, '|').collect();
        let [id, kind, args, ys] = parts[..] else {
            continue;
        };
        let y: Vec<f64> = ys
            .split_whitespace()
            .filter_map(|v| v.parse().ok())
            .collect();
        let args: Vec<&str> = args.split_whitespace().collect();
        run_case(id, kind, &args, &y, &mut out);
    }
    std::fs::write(format!("{dir}/rust.txt"), out).unwrap_or_default();
}
