//! The covariance of the initial ARMA state (Gardner, Harvey & Phillips 1980, statsforecast's
//! and R's `SSinit = "Gardner1980"`): the stationary solution `Q₀ = T Q₀ Tᵀ + R Rᵀ` of the
//! state-space form with `r = max(p, q + 1)` states, unit innovation variance.
//!
//! Gardner et al. solve the `r(r+1)/2` linear equations for the entries of `Q₀` directly.
//! Here the same matrix comes from the ARMA process's moments, in `O(p³ + r²)`: with
//! `ψ` the MA(∞) weights and `γ(0..p)` the autocovariances (from the `p + 1` Yule–Walker
//! type equations `γ(h) − Σ φ_k γ(|h−k|) = Σ_{j≥h} θ_j ψ_{j−h}`), the first row is
//! `Q₀[0][j] = Σ_m φ_{j+m} γ(m) + Σ_m θ_{j+m} ψ_m`, and the rest follows from the state
//! recursion `α_t[i] = φ_{i+1} α_{t−1}[0] + α_{t−1}[i+1] + θ_i ε_t`:
//! `Q₀[i][j] = Q₀[i+1][j+1] + φ_{i+1} Q₀[0][j+1] + φ_{j+1} Q₀[0][i+1] + φ_{i+1}φ_{j+1}γ(0) + θ_iθ_j`.
//! For stationary models it equals statsforecast's `getQ0` to rounding (checked against it
//! and against the Lyapunov solution); for non-stationary ones the equations are singular
//! or the result is not a covariance, and non-finite values flag it.
//!
//! For up to [`GARDNER_MAX_R`] (8) states (and for every pure MA model) Gardner et al.'s own
//! algorithm is used instead (`gardner.rs`: the equations solved row by row with Givens
//! rotations, AS 154 with Gentleman's AS 75 update), which gives statsforecast's `getQ0`
//! bit for bit, so likelihoods, and the optimiser's path, agree exactly; its cost grows as
//! `r⁶` (about 100 µs per evaluation at `r = 12`), hence the moment method beyond.

// Index loops: the moment recursions index several arrays by lag.
#![allow(clippy::needless_range_loop)]

/// Fill `out` (row-major `r × r`, `r = max(p, q + 1)`) with `Q₀` for `phi`, `theta`.
/// `work` is scratch that grows as needed.
pub fn q0(phi: &[f64], theta: &[f64], out: &mut [f64], work: &mut Vec<f64>) {
    let (p, q) = (phi.len(), theta.len());
    let r = p.max(q + 1);
    debug_assert_eq!(out.len(), r * r);
    if r > 1 && (p == 0 || r <= GARDNER_MAX_R) {
        super::gardner::gardner(phi, theta, out, work);
        return;
    }
    moments(phi, theta, out, work);
}

/// Largest state dimension for which [`q0`] runs Gardner et al.'s algorithm when `p > 0`.
pub const GARDNER_MAX_R: usize = 8;

/// `Q₀` from the ARMA moments (see the module docs).
pub fn moments(phi: &[f64], theta: &[f64], out: &mut [f64], work: &mut Vec<f64>) {
    let (p, q) = (phi.len(), theta.len());
    let r = p.max(q + 1);
    if r == 1 {
        out[0] = if p > 0 {
            1.0 / (1.0 - phi[0] * phi[0])
        } else {
            1.0
        };
        return;
    }
    let ph = |k: usize| if k >= 1 && k <= p { phi[k - 1] } else { 0.0 };
    let th = |k: usize| {
        if k == 0 {
            1.0
        } else if k <= q {
            theta[k - 1]
        } else {
            0.0
        }
    };
    // work: psi (r) | gamma (p + 1) | system (p + 1)²
    let need = r + (p + 1) + (p + 1) * (p + 1);
    if work.len() < need {
        work.resize(need, 0.0);
    }
    let (psi, rest) = work.split_at_mut(r);
    let (gamma, sys) = rest.split_at_mut(p + 1);
    let sys = &mut sys[..(p + 1) * (p + 1)];
    for j in 0..r {
        let mut v = th(j);
        for k in 1..=j.min(p) {
            v += phi[k - 1] * psi[j - k];
        }
        psi[j] = v;
    }
    if p > 0 {
        let n = p + 1;
        sys.fill(0.0);
        for h in 0..n {
            sys[h * n + h] += 1.0;
            for k in 1..=p {
                let idx = h.abs_diff(k);
                sys[h * n + idx] -= phi[k - 1];
            }
            let mut c = 0.0;
            for j in h..=q {
                c += th(j) * psi[j - h];
            }
            gamma[h] = c;
        }
        if !solve(sys, gamma, n) {
            out.fill(f64::NAN);
            return;
        }
    }
    // First row.
    for j in 0..r {
        let mut v = 0.0;
        for m in 1..=(r - j) {
            let k = j + m;
            if k <= p {
                v += ph(k) * gamma[m];
            }
        }
        for m in 0..(r - j) {
            v += th(j + m) * psi[m];
        }
        out[j] = v;
    }
    let g0 = if p > 0 { gamma[0] } else { out[0] };
    let first = |out: &[f64], k: usize| if k < r { out[k] } else { 0.0 };
    for i in (1..r).rev() {
        for j in (i..r).rev() {
            let below = if i + 1 < r && j + 1 < r {
                out[(i + 1) * r + j + 1]
            } else {
                0.0
            };
            let (fi, fj) = (ph(i + 1), ph(j + 1));
            out[i * r + j] = below
                + fi * first(out, j + 1)
                + fj * first(out, i + 1)
                + fi * fj * g0
                + th(i) * th(j);
        }
    }
    for i in 0..r {
        for j in 0..i {
            out[i * r + j] = out[j * r + i];
        }
    }
}

/// Solve `a x = b` in place (`b` becomes `x`) by Gaussian elimination with partial
/// pivoting; false when singular.
fn solve(a: &mut [f64], b: &mut [f64], n: usize) -> bool {
    for c in 0..n {
        let mut piv = c;
        for rr in c + 1..n {
            if a[rr * n + c].abs() > a[piv * n + c].abs() {
                piv = rr;
            }
        }
        let pv = a[piv * n + c];
        if pv == 0.0 || !pv.is_finite() {
            return false;
        }
        if piv != c {
            for k in 0..n {
                a.swap(c * n + k, piv * n + k);
            }
            b.swap(c, piv);
        }
        for rr in c + 1..n {
            let f = a[rr * n + c] / pv;
            if f != 0.0 {
                for k in c..n {
                    a[rr * n + k] -= f * a[c * n + k];
                }
                b[rr] -= f * b[c];
            }
        }
    }
    for c in (0..n).rev() {
        let mut v = b[c];
        for k in c + 1..n {
            v -= a[c * n + k] * b[k];
        }
        b[c] = v / a[c * n + c];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Q₀ by iterating the Lyapunov equation to convergence.
    fn lyapunov(phi: &[f64], theta: &[f64]) -> Vec<f64> {
        let r = phi.len().max(theta.len() + 1);
        let t = |i: usize, j: usize| {
            let mut v = if j == 0 && i < phi.len() { phi[i] } else { 0.0 };
            if j == i + 1 {
                v += 1.0;
            }
            v
        };
        let rv: Vec<f64> = (0..r)
            .map(|i| {
                if i == 0 {
                    1.0
                } else {
                    theta.get(i - 1).copied().unwrap_or(0.0)
                }
            })
            .collect();
        let mut pm = vec![0.0; r * r];
        for _ in 0..5000 {
            let mut next = vec![0.0; r * r];
            for i in 0..r {
                for j in 0..r {
                    let mut v = rv[i] * rv[j];
                    for k in 0..r {
                        for l in 0..r {
                            v += t(i, k) * pm[k * r + l] * t(j, l);
                        }
                    }
                    next[i * r + j] = v;
                }
            }
            pm = next;
        }
        pm
    }

    #[test]
    fn matches_lyapunov_solution() {
        let cases: [(&[f64], &[f64]); 6] = [
            (&[0.5], &[0.3]),
            (&[0.5, -0.3], &[]),
            (&[0.2], &[0.4, -0.2, 0.1]),
            (&[], &[0.6, 0.2]),
            (&[0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.4, -0.12], &[0.5]),
            (&[-0.4, 0.2, 0.1], &[0.3, 0.3]),
        ];
        let mut work = Vec::new();
        for (phi, theta) in cases {
            let r = phi.len().max(theta.len() + 1);
            let mut out = vec![0.0; r * r];
            q0(phi, theta, &mut out, &mut work);
            let mut mom = vec![0.0; r * r];
            moments(phi, theta, &mut mom, &mut work);
            let want = lyapunov(phi, theta);
            for (a, b) in mom.iter().zip(&want) {
                assert!(
                    (a - b).abs() < 1e-10,
                    "{phi:?} {theta:?}: {mom:?} vs {want:?}"
                );
            }
            for (a, b) in out.iter().zip(&want) {
                assert!(
                    (a - b).abs() < 1e-10,
                    "{phi:?} {theta:?}: {out:?} vs {want:?}"
                );
            }
        }
    }

    #[test]
    fn statsforecast_reference() {
        // statsforecast.arima.getQ0(np.array([0.5]), np.array([0.3]))
        //   -> [[1.85333333, 0.3], [0.3, 0.09]]
        let mut out = vec![0.0; 4];
        q0(&[0.5], &[0.3], &mut out, &mut Vec::new());
        let want = [1.853_333_333_333_333_3, 0.3, 0.3, 0.09];
        for (a, b) in out.iter().zip(want) {
            assert!((a - b).abs() < 1e-12);
        }
        let mut one = [0.0];
        q0(&[0.6], &[], &mut one, &mut Vec::new());
        assert!((one[0] - 1.0 / 0.64).abs() < 1e-15);
    }

    #[test]
    fn unit_root_is_not_finite() {
        let mut out = vec![0.0; 4];
        moments(&[1.0, 0.0], &[0.2], &mut out, &mut Vec::new());
        assert!(out.iter().any(|v| !v.is_finite()));
    }
}
