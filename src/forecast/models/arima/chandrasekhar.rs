//! The Gaussian likelihood of a stationary ARMA series by the Chandrasekhar recursions
//! (Morf, Sidhu & Kailath 1974; Herbst 2015): the Kalman filter's innovations and their
//! variances in `O(r)` per observation instead of the Riccati recursion's `O(r²)`.
//!
//! For a time-invariant model started at its stationary covariance `P₁ = Q₀`
//! (`P₁ = T P₁ Tᵀ + R Rᵀ`), the covariance increments `ΔPₜ = Pₜ₊₁ − Pₜ` have rank one,
//! `ΔPₜ = wₜ mₜ wₜᵀ`, and the filter needs only `w`, `m`, the gain `k` and the innovation
//! variance `f`:
//!
//! ```text
//! f₁ = Q₀[0,0],  k₁ = T Q₀ e₁ / f₁,  w₁ = k₁,  m₁ = −f₁
//! zₜ = wₜ[0],  fₜ₊₁ = fₜ + mₜ zₜ²,  kₜ₊₁ = (kₜ fₜ + T wₜ mₜ zₜ) / fₜ₊₁,
//! mₜ₊₁ = mₜ + mₜ² zₜ² / fₜ,  wₜ₊₁ = T wₜ − kₜ₊₁ zₜ
//! ```
//!
//! with `T v = (φᵢ v₀ + vᵢ₊₁)ᵢ` the companion transition of `kalman.rs`. The sums are the
//! Kalman filter's up to rounding (tested against it); the estimation objectives use this,
//! the final pass (residuals and the forecasting state) runs the full filter.

// Index loops over the companion form's shifted states.
#![allow(clippy::needless_range_loop)]

use super::kalman::Sums;

/// Scratch for the recursions (allocated once per fit).
#[derive(Debug, Clone, Default)]
pub struct Chandrasekhar {
    phi: Vec<f64>,
    a: Vec<f64>,
    k: Vec<f64>,
    w: Vec<f64>,
    u: Vec<f64>,
}

impl Chandrasekhar {
    /// The likelihood sums of `y` under the ARMA model with expanded AR polynomial `phi`,
    /// `r` states and stationary initial covariance `q0` (column-major `r × r`).
    pub fn run(&mut self, y: &[f64], phi: &[f64], r: usize, q0: &[f64]) -> Sums {
        let mut s = Sums {
            ssq: 0.0,
            sumlog: 0.0,
            nu: 0,
        };
        self.phi.clear();
        self.phi.extend_from_slice(&phi[..phi.len().min(r)]);
        self.phi.resize(r, 0.0);
        for v in [&mut self.a, &mut self.k, &mut self.w, &mut self.u] {
            v.clear();
            v.resize(r, 0.0);
        }
        let (ph, a, k, w, u) = (
            &self.phi,
            &mut self.a,
            &mut self.k,
            &mut self.w,
            &mut self.u,
        );
        let mut f = q0[0];
        // k₁ = T Q₀ e₁ / f₁ (column 0 of Q₀)
        for i in 0..r {
            let next = if i + 1 < r { q0[i + 1] } else { 0.0 };
            k[i] = (ph[i] * q0[0] + next) / f;
        }
        w.copy_from_slice(k);
        let mut m = -f;
        let mut moving = true;
        let (mut inv_f, mut ln_f) = (1.0 / f, f.ln());
        for &yt in y {
            let v = yt - a[0];
            if f < 1e4 {
                s.nu += 1;
                s.ssq += v * v * inv_f;
                s.sumlog += ln_f;
            }
            // a = T a + k v
            let a0 = a[0];
            for i in 0..r - 1 {
                a[i] = ph[i] * a0 + a[i + 1] + k[i] * v;
            }
            a[r - 1] = ph[r - 1] * a0 + k[r - 1] * v;
            if !moving {
                continue;
            }
            let z = w[0];
            let mz = m * z;
            let f_next = f + mz * z;
            for i in 0..r - 1 {
                u[i] = ph[i] * w[0] + w[i + 1];
            }
            u[r - 1] = ph[r - 1] * w[0];
            let inv = 1.0 / f_next;
            let mut w2 = 0.0f64;
            for i in 0..r {
                k[i] = (k[i] * f + u[i] * mz) * inv;
                w[i] = u[i] - k[i] * z;
                w2 = w2.max(w[i] * w[i]);
            }
            m += mz * mz * inv_f;
            f = f_next;
            inv_f = inv;
            ln_f = f.ln();
            // converged: the covariance increments are below the last bits of f
            if (m * w2).abs() <= 1e-17 * f {
                moving = false;
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::super::kalman::Kalman;
    use super::super::q0::q0;
    use super::*;

    #[test]
    fn equals_the_kalman_filter() {
        let y: Vec<f64> = (0..120)
            .map(|t| (f64::from(t) * 0.7).sin() * 3.0 + f64::from(t % 5) - 2.0)
            .collect();
        let cases: [(&[f64], &[f64]); 6] = [
            (&[], &[]),
            (&[0.6], &[]),
            (&[], &[-0.8]),
            (&[0.5, -0.2], &[0.3, 0.1, -0.4]),
            (&[0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.4, -0.12], &[]),
            (&[], &[-0.5, 0.0, 0.0, 0.0, 0.0, 0.0, -0.6, 0.3]),
        ];
        for (phi, theta) in cases {
            let r = phi.len().max(theta.len() + 1);
            let (mut q, mut work) = (vec![0.0; r * r], Vec::new());
            q0(phi, theta, &mut q, &mut work);
            let mut kal = Kalman::new(r, 0);
            kal.pn.copy_from_slice(&q);
            let want = kal.run(&y, phi, theta, &[], None);
            let got = Chandrasekhar::default().run(&y, phi, r, &q);
            assert_eq!(got.nu, want.nu);
            let rel = |a: f64, b: f64| (a - b).abs() / b.abs().max(1.0);
            assert!(
                rel(got.ssq, want.ssq) < 1e-10,
                "{phi:?} {theta:?}: {got:?} {want:?}"
            );
            assert!(rel(got.sumlog, want.sumlog) < 1e-10, "{got:?} {want:?}");
        }
    }
}
