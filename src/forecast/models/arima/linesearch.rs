//! The line searches of scipy's BFGS (`scipy.optimize._linesearch`), written from the
//! published algorithms: the probe along the search direction, and the fallback
//! bracketing-and-zoom strong Wolfe search of Nocedal & Wright (2006, alg. 3.5–3.6, cubic
//! then quadratic interpolation, then bisection) used when Moré & Thuente's search
//! (`dcsrch.rs`) fails. Same constants, same trial points, same acceptance tests as scipy's.

// Index loops: mirrors scipy.
#![allow(clippy::needless_range_loop)]

use super::bfgs::Cached;

pub(super) const C1: f64 = 1e-4;
pub(super) const C2: f64 = 0.9;
pub(super) const STPMIN: f64 = 1e-100;
pub(super) const STPMAX: f64 = 1e100;

/// The objective along `x + s p`, with the gradient at the last `derphi` point.
pub(super) struct Probe<'a, 'f> {
    obj: &'a mut Cached<'f>,
    x: &'a [f64],
    p: &'a [f64],
    at: Vec<f64>,
    grad: Vec<f64>,
    pub(super) derphi0: f64,
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

    pub(super) fn phi(&mut self, s: f64) -> f64 {
        self.point(s);
        self.obj.value(&self.at)
    }

    pub(super) fn derphi(&mut self, s: f64) -> f64 {
        self.point(s);
        self.obj.gradient(&self.at, &mut self.grad);
        self.grad.iter().zip(self.p).map(|(a, b)| a * b).sum()
    }

    /// The gradient at the last point where the slope was taken.
    pub(super) fn last_grad(&self) -> &[f64] {
        &self.grad
    }
}

pub(super) fn first_step(phi0: f64, old_phi0: f64, derphi0: f64) -> f64 {
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
