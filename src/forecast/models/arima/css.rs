//! Conditional sum of squares (Box & Jenkins): difference the series, then run the ARMA
//! recursion from observation `ncond = d + D·period + p + P·period` on, with the
//! pre-sample innovations set to zero. Returns `Σe² / (number of terms)`, statsforecast's
//! and R's `ARIMA_CSS`.

// Index loops: the recursion indexes the series by lag.
#![allow(clippy::needless_range_loop)]

use super::Order;

/// The CSS variance of `x` for the expanded polynomials `phi`, `theta`; `w` and `resid`
/// are scratch of length `x.len()` (`resid` holds the residuals on return, 0 before
/// `ncond`).
pub fn css(
    x: &[f64],
    o: &Order,
    phi: &[f64],
    theta: &[f64],
    w: &mut [f64],
    resid: &mut [f64],
) -> f64 {
    let n = x.len();
    w.copy_from_slice(x);
    for _ in 0..o.d {
        for l in (1..n).rev() {
            w[l] -= w[l - 1];
        }
    }
    let ns = o.period;
    for _ in 0..o.sd {
        for l in (ns..n).rev() {
            w[l] -= w[l - ns];
        }
    }
    let ncond = (o.d + o.sd * ns + o.p + o.sp * ns).min(n);
    resid[..ncond].fill(0.0);
    let (mut ssq, mut nu) = (0.0, 0usize);
    for l in ncond..n {
        let mut t = w[l];
        for (j, &ph) in phi.iter().enumerate() {
            t -= ph * w[l - j - 1];
        }
        for j in 0..(l - ncond).min(theta.len()) {
            t -= theta[j] * resid[l - j - 1];
        }
        resid[l] = t;
        if !t.is_nan() {
            nu += 1;
            ssq += t * t;
        }
    }
    ssq / nu as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ar1_by_hand() {
        let o = Order {
            p: 1,
            d: 0,
            q: 0,
            sp: 0,
            sd: 0,
            sq: 0,
            period: 1,
        };
        let x = [1.0, 2.0, 0.0, 4.0];
        let (mut w, mut r) = ([0.0; 4], [0.0; 4]);
        let v = css(&x, &o, &[0.5], &[], &mut w, &mut r);
        // residuals 2 - .5, 0 - 1, 4 - 0
        assert_eq!(r, [0.0, 1.5, -1.0, 4.0]);
        assert!((v - (2.25 + 1.0 + 16.0) / 3.0).abs() < 1e-15);
    }

    #[test]
    fn differenced_ma_by_hand() {
        let o = Order {
            p: 0,
            d: 1,
            q: 1,
            sp: 0,
            sd: 0,
            sq: 0,
            period: 1,
        };
        let x = [1.0, 3.0, 2.0, 5.0];
        let (mut w, mut r) = ([0.0; 4], [0.0; 4]);
        let v = css(&x, &o, &[], &[0.5], &mut w, &mut r);
        // w = [., 2, -1, 3]; e1 = 2, e2 = -1 - 1 = -2, e3 = 3 + 1 = 4
        assert_eq!(r, [0.0, 2.0, -2.0, 4.0]);
        assert!((v - 24.0 / 3.0).abs() < 1e-15);
    }
}
