//! Checks of the filter's vectorised covariance prediction against R's loops verbatim.

use super::*;

/// R's loops verbatim, for checking the vectorised versions bit for bit.
struct Reference<'a>(&'a mut Kalman);

impl Reference<'_> {
    /// `Pn = T P Tᵀ + R Rᵀ` without differencing states.
    fn predict_cov_stationary(&mut self, phi: &[f64], theta: &[f64]) {
        let r = self.0.r;
        let (p, q) = (phi.len(), theta.len());
        let (pm, pnew) = (&self.0.p, &mut self.0.pn);
        let v = |i: usize| {
            if i == 0 {
                1.0
            } else if i - 1 < q {
                theta[i - 1]
            } else {
                0.0
            }
        };
        for i in 0..r {
            let vi = v(i);
            for j in 0..r {
                let mut tmp = v(j) * vi;
                if i < p && j < p {
                    tmp += phi[i] * phi[j] * pm[0];
                }
                if i < r - 1 && j < r - 1 {
                    tmp += pm[i + 1 + r * (j + 1)];
                }
                if i < p && j < r - 1 {
                    tmp += phi[i] * pm[j + 1];
                }
                if j < p && i < r - 1 {
                    tmp += phi[j] * pm[i + 1];
                }
                pnew[i + r * j] = tmp;
            }
        }
    }

    /// `Pn = T P Tᵀ + R Rᵀ` with differencing states: `mm = T P`, then `Pn = mm Tᵀ`.
    fn predict_cov(&mut self, phi: &[f64], theta: &[f64], delta: &[f64]) {
        let (r, d) = (self.0.r, self.0.nd);
        let rd = r + d;
        let (p, q) = (phi.len(), theta.len());
        let (pm, mm, pnew) = (&self.0.p, &mut self.0.mm, &mut self.0.pn);
        for j in 0..rd {
            let col = &pm[rd * j..rd * (j + 1)];
            let out = &mut mm[rd * j..rd * (j + 1)];
            for i in 0..r {
                let mut tmp = 0.0;
                if i < p {
                    tmp += phi[i] * col[0];
                }
                if i < r - 1 {
                    tmp += col[i + 1];
                }
                out[i] = tmp;
            }
            let mut tmp = col[0];
            for k in 0..d {
                tmp += delta[k] * col[r + k];
            }
            out[r] = tmp;
            for i in 1..d {
                out[r + i] = col[r + i - 1];
            }
        }
        for i in 0..r {
            for j in 0..rd {
                let mut tmp = 0.0;
                if i < p {
                    tmp += phi[i] * mm[j];
                }
                if i < r - 1 {
                    tmp += mm[rd * (i + 1) + j];
                }
                pnew[j + rd * i] = tmp;
            }
        }
        for j in 0..rd {
            let mut tmp = mm[j];
            for k in 0..d {
                tmp += delta[k] * mm[rd * (r + k) + j];
            }
            pnew[j + rd * r] = tmp;
        }
        for i in 1..d {
            let (src, dst) = (rd * (r + i - 1), rd * (r + i));
            pnew[dst..dst + rd].copy_from_slice(&mm[src..src + rd]);
        }
        for i in 0..=q {
            let vi = if i == 0 { 1.0 } else { theta[i - 1] };
            for j in 0..=q {
                pnew[i + rd * j] += vi * if j == 0 { 1.0 } else { theta[j - 1] };
            }
        }
    }
}

#[test]
fn vectorised_prediction_is_bit_identical() {
    let mut seed = 1u64;
    let mut rnd = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    };
    for (p, q, d) in [
        (1, 1, 0),
        (2, 3, 0),
        (0, 8, 0),
        (8, 1, 0),
        (1, 2, 1),
        (15, 2, 1),
        (0, 9, 8),
        (3, 0, 2),
    ] {
        let r = p.max(q + 1);
        let rd = r + d;
        let phi: Vec<f64> = (0..p).map(|_| rnd()).collect();
        let theta: Vec<f64> = (0..q).map(|_| rnd()).collect();
        let delta: Vec<f64> = (0..d).map(|_| rnd()).collect();
        let mut k = Kalman::new(r, d);
        for v in k.p.iter_mut() {
            *v = rnd();
        }
        let mut k2 = k.clone();
        if d == 0 {
            k.predict_cov_stationary(&phi, &theta);
            Reference(&mut k2).predict_cov_stationary(&phi, &theta);
        } else {
            k.predict_cov(&phi, &theta, &delta);
            Reference(&mut k2).predict_cov(&phi, &theta, &delta);
        }
        // Equal bits, except that a zero may differ in sign (0·x for padded φ).
        for (a, b) in k.pn.iter().zip(&k2.pn) {
            assert!(
                a.to_bits() == b.to_bits() || (*a == 0.0 && *b == 0.0),
                "p {p} q {q} d {d} rd {rd}"
            );
        }
    }
}
