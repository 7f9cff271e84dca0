//! Coefficient maps: the expansion of the multiplicative seasonal model into its full AR
//! and MA polynomials, and the reparametrisation that keeps the AR parts stationary
//! during maximum likelihood (Jones 1980; Monahan 1984): unconstrained values → partial
//! autocorrelations through `tanh` → AR coefficients through the Durbin–Levinson
//! recursion, and back ("step-down"). The same step-down is the stationarity test (an AR
//! polynomial is stationary exactly when every partial autocorrelation is inside (−1, 1)),
//! and, applied to `φ_k ρ^k`, tests that all roots lie outside the circle of radius ρ.

// Index loops: the Durbin–Levinson recursions index by lag.
#![allow(clippy::needless_range_loop)]

use super::Order;

/// Partial autocorrelations from unconstrained values, then AR coefficients: `raw` → `out`.
pub fn partrans(raw: &[f64], out: &mut [f64]) {
    let p = raw.len();
    for (o, &r) in out.iter_mut().zip(raw) {
        *o = r.tanh();
    }
    let mut work = [0.0f64; 64];
    let mut heap;
    let work: &mut [f64] = if p <= 64 {
        &mut work[..p]
    } else {
        heap = vec![0.0; p];
        &mut heap
    };
    work.copy_from_slice(&out[..p]);
    for j in 1..p {
        let a = out[j];
        for k in 0..j {
            work[k] -= a * out[j - k - 1];
        }
        out[..j].copy_from_slice(&work[..j]);
    }
}

/// Step-down: the partial autocorrelations of the AR coefficients `ar` (in place). Values
/// are non-finite or outside (−1, 1) when `ar` is not stationary.
pub fn step_down(ar: &mut [f64]) {
    let p = ar.len();
    let mut work = vec![0.0; p];
    for j in (1..p).rev() {
        let a = ar[j];
        for k in 0..j {
            work[k] = (ar[k] + a * ar[j - k - 1]) / (1.0 - a * a);
        }
        ar[..j].copy_from_slice(&work[..j]);
    }
}

/// The inverse of [`partrans`]: unconstrained values of stationary AR coefficients
/// (NaN or infinite when `ar` is not stationary).
pub fn invpartrans(ar: &[f64], out: &mut [f64]) {
    out.copy_from_slice(ar);
    step_down(out);
    for v in out.iter_mut() {
        *v = v.atanh();
    }
}

/// Whether `1 − a₁z − … − a_p z^p` has every root outside the circle of radius `radius`.
pub fn roots_outside(a: &[f64], radius: f64) -> bool {
    let mut s: Vec<f64> = a
        .iter()
        .enumerate()
        .map(|(k, &v)| v * radius.powi(k as i32 + 1))
        .collect();
    step_down(&mut s);
    s.iter().all(|v| v.abs() < 1.0)
}

/// Whether the AR coefficients `ar` are stationary (statsforecast/R's `arCheck`).
pub fn is_stationary(ar: &[f64]) -> bool {
    match ar.iter().rposition(|&v| v != 0.0) {
        None => true,
        Some(last) => roots_outside(&ar[..=last], 1.0),
    }
}

/// Apply [`partrans`] to the AR and seasonal AR blocks of `coef` (in place); the others are
/// unchanged (R's `undoPars`).
pub fn undo_pars(coef: &mut [f64], o: &Order) {
    let mut buf = [0.0f64; 64];
    if o.p > 0 {
        buf[..o.p].copy_from_slice(&coef[..o.p]);
        partrans(&buf[..o.p], &mut coef[..o.p]);
    }
    let v = o.p + o.q;
    if o.sp > 0 {
        buf[..o.sp].copy_from_slice(&coef[v..v + o.sp]);
        partrans(&buf[..o.sp], &mut coef[v..v + o.sp]);
    }
}

/// The inverse of [`undo_pars`] (R's `ARIMA_Invtrans`).
pub fn inv_pars(coef: &mut [f64], o: &Order) {
    let mut buf = [0.0f64; 64];
    if o.p > 0 {
        buf[..o.p].copy_from_slice(&coef[..o.p]);
        invpartrans(&buf[..o.p], &mut coef[..o.p]);
    }
    let v = o.p + o.q;
    if o.sp > 0 {
        buf[..o.sp].copy_from_slice(&coef[v..v + o.sp]);
        invpartrans(&buf[..o.sp], &mut coef[v..v + o.sp]);
    }
}

/// The full polynomials `φ` (length `p + period·P`) and `θ` (length `q + period·Q`) of
/// the multiplicative model with coefficients `par` (ar, ma, sar, sma, ...), after
/// [`undo_pars`] when `trans`. `phi` and `theta` must have those lengths.
pub fn expand(par: &[f64], o: &Order, trans: bool, phi: &mut [f64], theta: &mut [f64]) {
    let (mp, mq, msp, msq, ns) = (o.p, o.q, o.sp, o.sq, o.period);
    let n = mp + mq + msp + msq;
    let mut buf = [0.0f64; 64];
    let mut heap;
    let params: &mut [f64] = if n <= 64 {
        &mut buf[..n]
    } else {
        heap = vec![0.0; n];
        &mut heap
    };
    params.copy_from_slice(&par[..n]);
    if trans {
        undo_pars(params, o);
    }
    phi.fill(0.0);
    theta.fill(0.0);
    phi[..mp].copy_from_slice(&params[..mp]);
    theta[..mq].copy_from_slice(&params[mp..mp + mq]);
    for j in 0..msp {
        let s = params[mp + mq + j];
        phi[(j + 1) * ns - 1] += s;
        for i in 0..mp {
            phi[(j + 1) * ns + i] -= params[i] * s;
        }
    }
    for j in 0..msq {
        let s = params[mp + mq + msp + j];
        theta[(j + 1) * ns - 1] += s;
        for i in 0..mq {
            theta[(j + 1) * ns + i] += params[mp + i] * s;
        }
    }
}

/// Jacobian of [`undo_pars`] by forward differences with step 1e-3 (R's
/// `ARIMA_Gradtrans`): `out[i * n + j] = ∂ new_j / ∂ raw_i`, identity outside the AR blocks.
pub fn grad_trans(coef: &[f64], o: &Order, out: &mut [f64]) {
    const EPS: f64 = 1e-3;
    let n = coef.len();
    out.fill(0.0);
    for i in 0..n {
        out[i * n + i] = 1.0;
    }
    for (start, len) in [(0, o.p), (o.p + o.q, o.sp)] {
        if len == 0 {
            continue;
        }
        let raw = &coef[start..start + len];
        let mut base = vec![0.0; len];
        partrans(raw, &mut base);
        let mut w1 = raw.to_vec();
        let mut w3 = vec![0.0; len];
        for i in 0..len {
            w1[i] += EPS;
            partrans(&w1, &mut w3);
            for j in 0..len {
                out[(start + i) * n + start + j] = (w3[j] - base[j]) / EPS;
            }
            w1[i] -= EPS;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(p: usize, q: usize, sp: usize, sq: usize) -> Order {
        Order {
            p,
            d: 0,
            q,
            sp,
            sd: 0,
            sq,
            period: 7,
        }
    }

    #[test]
    fn partrans_round_trip() {
        let raw = [0.3, -1.2, 0.7, 2.0];
        let mut ar = [0.0; 4];
        partrans(&raw, &mut ar);
        assert!(is_stationary(&ar));
        let mut back = [0.0; 4];
        invpartrans(&ar, &mut back);
        for (a, b) in raw.iter().zip(back) {
            assert!((a - b).abs() < 1e-12, "{raw:?} {back:?}");
        }
    }

    #[test]
    fn stationarity() {
        assert!(is_stationary(&[0.5]));
        assert!(!is_stationary(&[1.1]));
        assert!(is_stationary(&[1.2, -0.5])); // roots 1.2 ± 0.6i scaled: |z| = 1.41
        assert!(!is_stationary(&[0.5, 0.6])); // 1 - .5z - .6z²: root 0.94
        assert!(is_stationary(&[0.0, 0.0]));
        // roots of 1 - 1.5z + .56z² are 1.25 and 1.4286
        assert!(roots_outside(&[1.5, -0.56], 1.2));
        assert!(!roots_outside(&[1.5, -0.56], 1.3));
    }

    #[test]
    fn expand_multiplies_seasonal_factors() {
        // statsforecast: arima_transpar([0.3, 0.2, -0.4], [1,1,1,0,7,1,1], False)
        //   -> phi [0.3, 0, 0, 0, 0, 0, -0.4, 0.12], theta [0.2]
        let o = Order {
            p: 1,
            d: 1,
            q: 1,
            sp: 1,
            sd: 1,
            sq: 0,
            period: 7,
        };
        let (mut phi, mut theta) = (vec![0.0; 8], vec![0.0; 1]);
        expand(&[0.3, 0.2, -0.4], &o, false, &mut phi, &mut theta);
        assert_eq!(phi, vec![0.3, 0.0, 0.0, 0.0, 0.0, 0.0, -0.4, 0.3 * 0.4]);
        assert_eq!(theta, vec![0.2]);
        // arima_transpar([.3,.2,-.4,.1], [2,0,1,1,7,0,0], True) -> phi[:2] = .23381469, .19737532
        let o = order(2, 0, 1, 0);
        let (mut phi, mut theta) = (vec![0.0; 9], vec![0.0; 0]);
        expand(&[0.3, 0.2, -0.4, 0.1], &o, true, &mut phi, &mut theta);
        assert!((phi[0] - 0.233_814_69).abs() < 1e-8 && (phi[1] - 0.197_375_32).abs() < 1e-8);
        assert!((phi[6] + 0.379_948_96).abs() < 1e-8 && (phi[8] - 0.074_992_55).abs() < 1e-8);
    }

    #[test]
    fn gradtrans_matches_statsforecast() {
        // arima_gradtrans([.3,.2,-.4,.1,5], [2,0,1,1,7,0,0]): [0,0]=.73429736, [1,0]=-.2799086,
        // [1,1]=.96085301, [2,2]=.85596372, identity elsewhere.
        let o = order(2, 0, 1, 1);
        let mut a = vec![0.0; 25];
        grad_trans(&[0.3, 0.2, -0.4, 0.1, 5.0], &o, &mut a);
        assert!((a[0] - 0.734_297_36).abs() < 1e-8);
        assert!((a[5] + 0.279_908_6).abs() < 1e-7);
        assert!((a[6] - 0.960_853_01).abs() < 1e-8);
        assert!((a[12] - 0.855_963_72).abs() < 1e-8);
        assert_eq!(a[1], 0.0);
        assert_eq!(a[18], 1.0);
    }
}
