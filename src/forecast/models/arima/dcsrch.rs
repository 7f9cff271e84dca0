//! Moré & Thuente's (1994) line search, MINPACK-2's `dcsrch` with its safeguarded step
//! `dcstep`, as scipy's `line_search_wolfe1` runs it for BFGS (`c1 = 1e-4`, `c2 = 0.9`,
//! steps in `[1e-100, 1e100]`, `xtol = 1e-14`, at most 100 calls): the first search of
//! each BFGS iteration; `linesearch.rs` holds the fallback.

use super::linesearch::{first_step, Probe, Step, C1, C2, STPMAX, STPMIN};

const XTOL: f64 = 1e-14;

/// Moré–Thuente search (scipy's `line_search_wolfe1`); `None` when it fails.
pub(super) fn dcsrch_search(pr: &mut Probe<'_, '_>, phi0: f64, old_phi0: f64) -> Option<Step> {
    let g0 = pr.derphi0;
    let mut stp = first_step(phi0, old_phi0, g0);
    // START
    if !(STPMIN..=STPMAX).contains(&stp) || g0 >= 0.0 {
        return None;
    }
    let gtest = C1 * g0;
    let mut s = Search {
        brackt: false,
        stage1: true,
        width: STPMAX - STPMIN,
        width1: (STPMAX - STPMIN) / 0.5,
        stx: 0.0,
        fx: phi0,
        gx: g0,
        sty: 0.0,
        fy: phi0,
        gy: g0,
        stmin: 0.0,
        stmax: stp + 4.0 * stp,
    };
    // scipy's 100 `dcsrch` calls: the start and 99 trial steps.
    for _ in 0..99 {
        let f = pr.phi(stp);
        let g = pr.derphi(stp);
        let ftest = phi0 + stp * gtest;
        if s.stage1 && f <= ftest && g >= 0.0 {
            s.stage1 = false;
        }
        let mut warn = s.brackt && (stp <= s.stmin || stp >= s.stmax);
        warn |= s.brackt && s.stmax - s.stmin <= XTOL * s.stmax;
        warn |= stp == STPMAX && f <= ftest && g <= gtest;
        warn |= stp == STPMIN && (f > ftest || g >= gtest);
        if f <= ftest && g.abs() <= C2 * -g0 {
            return Some(Step {
                alpha: stp,
                fval: f,
                old_fval: phi0,
                grad_at_step: true,
            });
        }
        if warn {
            return None;
        }
        if s.stage1 && f <= s.fx && f > ftest {
            // The modified function psi(stp) = f(stp) - f(0) - ftol*stp*f'(0).
            let mut m = Search {
                fx: s.fx - s.stx * gtest,
                fy: s.fy - s.sty * gtest,
                gx: s.gx - gtest,
                gy: s.gy - gtest,
                ..s
            };
            stp = dcstep(&mut m, stp, f - stp * gtest, g - gtest);
            s.stx = m.stx;
            s.sty = m.sty;
            s.brackt = m.brackt;
            s.fx = m.fx + s.stx * gtest;
            s.fy = m.fy + s.sty * gtest;
            s.gx = m.gx + gtest;
            s.gy = m.gy + gtest;
        } else {
            stp = dcstep(&mut s, stp, f, g);
        }
        if s.brackt {
            if (s.sty - s.stx).abs() >= 0.66 * s.width1 {
                stp = s.stx + 0.5 * (s.sty - s.stx);
            }
            s.width1 = s.width;
            s.width = (s.sty - s.stx).abs();
            s.stmin = s.stx.min(s.sty);
            s.stmax = s.stx.max(s.sty);
        } else {
            s.stmin = stp + 1.1 * (stp - s.stx);
            s.stmax = stp + 4.0 * (stp - s.stx);
        }
        if stp.is_nan() {
            return None;
        }
        stp = stp.clamp(STPMIN, STPMAX);
        if s.brackt && (stp <= s.stmin || stp >= s.stmax || s.stmax - s.stmin <= XTOL * s.stmax) {
            stp = s.stx;
        }
        if !stp.is_finite() {
            return None;
        }
    }
    None
}

#[derive(Clone, Copy)]
struct Search {
    brackt: bool,
    stage1: bool,
    width: f64,
    width1: f64,
    stx: f64,
    fx: f64,
    gx: f64,
    sty: f64,
    fy: f64,
    gy: f64,
    stmin: f64,
    stmax: f64,
}

fn sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        v // 0 or NaN, as numpy's sign
    }
}

fn max3(a: f64, b: f64, c: f64) -> f64 {
    // Python's max(a, b, c): keeps the first of equal/unordered values.
    let mut m = a;
    if b > m {
        m = b;
    }
    if c > m {
        m = c;
    }
    m
}

/// One safeguarded step (MINPACK-2 `dcstep`): updates the interval in `s`, returns the
/// next trial step. `(stp, fp, dp)` is the current trial.
fn dcstep(s: &mut Search, stp: f64, fp: f64, dp: f64) -> f64 {
    let (stx, fx, dx, sty, fy, dy) = (s.stx, s.fx, s.gx, s.sty, s.fy, s.gy);
    let (stpmin, stpmax) = (s.stmin, s.stmax);
    let sgnd = sign(dp) * sign(dx);
    let stpf;
    if fp > fx {
        let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        let sm = max3(theta.abs(), dx.abs(), dp.abs());
        let mut gamma = sm * ((theta / sm).powi(2) - (dx / sm) * (dp / sm)).sqrt();
        if stp < stx {
            gamma = -gamma;
        }
        let p = (gamma - dx) + theta;
        let q = ((gamma - dx) + gamma) + dp;
        let r = p / q;
        let stpc = stx + r * (stp - stx);
        let stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2.0) * (stp - stx);
        stpf = if (stpc - stx).abs() <= (stpq - stx).abs() {
            stpc
        } else {
            stpc + (stpq - stpc) / 2.0
        };
        s.brackt = true;
    } else if sgnd < 0.0 {
        let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        let sm = max3(theta.abs(), dx.abs(), dp.abs());
        let mut gamma = sm * ((theta / sm).powi(2) - (dx / sm) * (dp / sm)).sqrt();
        if stp > stx {
            gamma = -gamma;
        }
        let p = (gamma - dp) + theta;
        let q = ((gamma - dp) + gamma) + dx;
        let r = p / q;
        let stpc = stp + r * (stx - stp);
        let stpq = stp + (dp / (dp - dx)) * (stx - stp);
        stpf = if (stpc - stp).abs() > (stpq - stp).abs() {
            stpc
        } else {
            stpq
        };
        s.brackt = true;
    } else if dp.abs() < dx.abs() {
        let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        let sm = max3(theta.abs(), dx.abs(), dp.abs());
        let rad = (theta / sm).powi(2) - (dx / sm) * (dp / sm);
        let mut gamma = sm * if rad > 0.0 { rad.sqrt() } else { 0.0 };
        if stp > stx {
            gamma = -gamma;
        }
        let p = (gamma - dp) + theta;
        let q = (gamma + (dx - dp)) + gamma;
        let r = p / q;
        let stpc = if r < 0.0 && gamma != 0.0 {
            stp + r * (stx - stp)
        } else if stp > stx {
            stpmax
        } else {
            stpmin
        };
        let stpq = stp + (dp / (dp - dx)) * (stx - stp);
        if s.brackt {
            let f = if (stpc - stp).abs() < (stpq - stp).abs() {
                stpc
            } else {
                stpq
            };
            stpf = if stp > stx {
                (stp + 0.66 * (sty - stp)).min(f)
            } else {
                (stp + 0.66 * (sty - stp)).max(f)
            };
        } else {
            let f = if (stpc - stp).abs() > (stpq - stp).abs() {
                stpc
            } else {
                stpq
            };
            stpf = f.max(stpmin).min(stpmax);
        }
    } else if s.brackt {
        let theta = 3.0 * (fp - fy) / (sty - stp) + dy + dp;
        let sm = max3(theta.abs(), dy.abs(), dp.abs());
        let mut gamma = sm * ((theta / sm).powi(2) - (dy / sm) * (dp / sm)).sqrt();
        if stp > sty {
            gamma = -gamma;
        }
        let p = (gamma - dp) + theta;
        let q = ((gamma - dp) + gamma) + dy;
        let r = p / q;
        stpf = stp + r * (sty - stp);
    } else if stp > stx {
        stpf = stpmax;
    } else {
        stpf = stpmin;
    }
    if fp > fx {
        s.sty = stp;
        s.fy = fp;
        s.gy = dp;
    } else {
        if sgnd < 0.0 {
            s.sty = stx;
            s.fy = fx;
            s.gy = dx;
        }
        s.stx = stp;
        s.fx = fp;
        s.gx = dp;
    }
    stpf
}
