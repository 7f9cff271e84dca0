//! The two line searches of scipy's BFGS (`scipy.optimize._linesearch`), written from the
//! published algorithms: first Moré & Thuente's (1994) safeguarded search (MINPACK-2
//! `dcsrch` / `dcstep`), and when it fails the bracketing-and-zoom strong Wolfe search of
//! Nocedal & Wright (2006, alg. 3.5–3.6, cubic then quadratic interpolation, then
//! bisection). Same constants, same trial points, same acceptance tests as scipy's.

// Index loops: mirrors scipy.
#![allow(clippy::needless_range_loop)]

use super::bfgs::Cached;

const C1: f64 = 1e-4;
const C2: f64 = 0.9;
const STPMIN: f64 = 1e-100;
const STPMAX: f64 = 1e100;
const XTOL: f64 = 1e-14;

/// The objective along `x + s p`, with the gradient at the last `derphi` point.
pub(super) struct Probe<'a, 'f> {
    obj: &'a mut Cached<'f>,
    x: &'a [f64],
    p: &'a [f64],
    at: Vec<f64>,
    grad: Vec<f64>,
    derphi0: f64,
}

/// An accepted step.
pub(super) struct Step {
    /// Step length.
    pub alpha: f64,
    /// Objective at the step.
    pub fval: f64,
    /// Objective at the start.
    pub old_fval: f64,
    /// Whether `Probe::last_grad` is the gradient at the step.
    pub grad_at_step: bool,
}

impl<'a, 'f> Probe<'a, 'f> {
    pub(super) fn new(obj: &'a mut Cached<'f>, x: &'a [f64], p: &'a [f64], g0: &[f64]) -> Self {
        let derphi0 = g0.iter().zip(p).map(|(a, b)| a * b).sum();
        Probe {
            obj,
            x,
            p,
            at: vec![0.0; x.len()],
            grad: g0.to_vec(),
            derphi0,
        }
    }

    fn point(&mut self, s: f64) {
        for ((a, &x), &p) in self.at.iter_mut().zip(self.x).zip(self.p) {
            *a = x + s * p;
        }
    }

    fn phi(&mut self, s: f64) -> f64 {
        self.point(s);
        self.obj.value(&self.at)
    }

    fn derphi(&mut self, s: f64) -> f64 {
        self.point(s);
        self.obj.gradient(&self.at, &mut self.grad);
        self.grad.iter().zip(self.p).map(|(a, b)| a * b).sum()
    }

    /// The gradient at the last point where the slope was taken.
    pub(super) fn last_grad(&self) -> &[f64] {
        &self.grad
    }
}

fn first_step(phi0: f64, old_phi0: f64, derphi0: f64) -> f64 {
    if derphi0 != 0.0 {
        let a = 1.0f64.min(1.01 * 2.0 * (phi0 - old_phi0) / derphi0);
        if a < 0.0 {
            1.0
        } else {
            a
        }
    } else {
        1.0
    }
}

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

/// The bracketing/zoom strong Wolfe search (scipy's `line_search_wolfe2`, at most 10
/// expansions and 10 zoom steps); `None` when it fails.
pub(super) fn wolfe2_search(pr: &mut Probe<'_, '_>, phi0: f64, old_phi0: f64) -> Option<Step> {
    let derphi0 = pr.derphi0;
    let mut alpha0 = 0.0;
    let mut alpha1 = first_step(phi0, old_phi0, derphi0).min(STPMAX);
    let mut phi_a1 = pr.phi(alpha1);
    let mut phi_a0 = phi0;
    let mut derphi_a0 = derphi0;
    let done = |alpha: f64, fval: f64, grad: bool| {
        Some(Step {
            alpha,
            fval,
            old_fval: phi0,
            grad_at_step: grad,
        })
    };
    for i in 0..10 {
        if alpha1 == 0.0 || alpha0 > STPMAX {
            return None;
        }
        if phi_a1 > phi0 + C1 * alpha1 * derphi0 || (phi_a1 >= phi_a0 && i > 0) {
            let z = zoom(
                pr,
                [alpha0, alpha1, phi_a0, phi_a1, derphi_a0],
                phi0,
                derphi0,
            )?;
            return done(z.0, z.1, true);
        }
        let derphi_a1 = pr.derphi(alpha1);
        if derphi_a1.abs() <= -C2 * derphi0 {
            return done(alpha1, phi_a1, true);
        }
        if derphi_a1 >= 0.0 {
            let z = zoom(
                pr,
                [alpha1, alpha0, phi_a1, phi_a0, derphi_a1],
                phi0,
                derphi0,
            )?;
            return done(z.0, z.1, true);
        }
        let alpha2 = (2.0 * alpha1).min(STPMAX);
        alpha0 = alpha1;
        alpha1 = alpha2;
        phi_a0 = phi_a1;
        phi_a1 = pr.phi(alpha1);
        derphi_a0 = derphi_a1;
    }
    // Out of expansions: scipy accepts the last step without a gradient there.
    done(alpha1, phi_a1, false)
}

/// Zoom into `[a_lo, a_hi]` (`lo = [a_lo, a_hi, phi_lo, phi_hi, derphi_lo]`).
fn zoom(pr: &mut Probe<'_, '_>, lo: [f64; 5], phi0: f64, derphi0: f64) -> Option<(f64, f64)> {
    let [mut a_lo, mut a_hi, mut phi_lo, mut phi_hi, mut derphi_lo] = lo;
    let (mut phi_rec, mut a_rec) = (phi0, 0.0);
    for i in 0..=10 {
        let dalpha = a_hi - a_lo;
        let (a, b) = if dalpha < 0.0 {
            (a_hi, a_lo)
        } else {
            (a_lo, a_hi)
        };
        let mut a_j = None;
        if i > 0 {
            let cchk = 0.2 * dalpha;
            a_j = cubicmin(a_lo, phi_lo, derphi_lo, a_hi, phi_hi, a_rec, phi_rec)
                .filter(|&v| !(v > b - cchk || v < a + cchk));
        }
        let a_j = match a_j {
            Some(v) => v,
            None => {
                let qchk = 0.1 * dalpha;
                match quadmin(a_lo, phi_lo, derphi_lo, a_hi, phi_hi) {
                    Some(v) if !(v > b - qchk || v < a + qchk) => v,
                    _ => a_lo + 0.5 * dalpha,
                }
            }
        };
        let phi_aj = pr.phi(a_j);
        if phi_aj > phi0 + C1 * a_j * derphi0 || phi_aj >= phi_lo {
            phi_rec = phi_hi;
            a_rec = a_hi;
            a_hi = a_j;
            phi_hi = phi_aj;
        } else {
            let derphi_aj = pr.derphi(a_j);
            if derphi_aj.abs() <= -C2 * derphi0 {
                return Some((a_j, phi_aj));
            }
            if derphi_aj * (a_hi - a_lo) >= 0.0 {
                phi_rec = phi_hi;
                a_rec = a_hi;
                a_hi = a_lo;
                phi_hi = phi_lo;
            } else {
                phi_rec = phi_lo;
                a_rec = a_lo;
            }
            a_lo = a_j;
            phi_lo = phi_aj;
            derphi_lo = derphi_aj;
        }
    }
    None
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// Minimiser of the cubic through `(a, fa)` with slope `fpa`, `(b, fb)` and `(c, fc)`;
/// `None` where numpy would raise (division by zero, overflow, invalid operation).
fn cubicmin(a: f64, fa: f64, fpa: f64, b: f64, fb: f64, c: f64, fc: f64) -> Option<f64> {
    let cc = fpa;
    let db = b - a;
    let dc = c - a;
    let denom = finite((db * dc).powi(2) * (db - dc)).filter(|&d| d != 0.0)?;
    let r1 = finite(fb - fa - cc * db)?;
    let r2 = finite(fc - fa - cc * dc)?;
    let aa = finite((dc * dc * r1 + -(db * db) * r2) / denom)?;
    let bb = finite((-(dc * dc * dc) * r1 + db * db * db * r2) / denom)?;
    let radical = finite(bb * bb - 3.0 * aa * cc).filter(|&r| r >= 0.0)?;
    if aa == 0.0 {
        return None;
    }
    finite(a + (-bb + radical.sqrt()) / (3.0 * aa))
}

/// Minimiser of the parabola through `(a, fa)` with slope `fpa` and `(b, fb)`.
fn quadmin(a: f64, fa: f64, fpa: f64, b: f64, fb: f64) -> Option<f64> {
    let db = b - a;
    if db == 0.0 {
        return None;
    }
    let bb = finite((fb - fa - fpa * db) / (db * db)).filter(|&v| v != 0.0)?;
    finite(a - fpa / (2.0 * bb))
}
