//! Persistence of a fitted model: orders, method, coefficients and which were estimated,
//! fit statistics, and the Kalman state. The polynomials are not stored but rebuilt from
//! the coefficients, so a decoded model is consistent by construction; every length and
//! value is checked, so truncated or foreign bytes are an error, never a panic.

use super::transform::expand;
use super::{ArimaModel, Method, Order};
use crate::error::{Error, Result};
use crate::forecast::codec::{Reader, Writer};

const VERSION: u8 = 1;

fn bad(what: &str) -> Error {
    Error::Decode(format!("ARIMA state: {what}"))
}

impl ArimaModel {
    /// Append to a persisted blob.
    pub fn encode(&self, w: &mut Writer) {
        w.u8(VERSION);
        let o = &self.order;
        for v in [o.p, o.d, o.q, o.sp, o.sd, o.sq, o.period, self.n_xreg] {
            w.u32(v as u32);
        }
        w.u8(self.method.code());
        w.u8(u8::from(self.has_intercept) | (u8::from(self.has_drift) << 1));
        w.f64s(&self.coef);
        w.u32(self.mask.len() as u32);
        for &m in &self.mask {
            w.u8(u8::from(m));
        }
        for v in [self.sigma2, self.loglik, self.aic, self.aicc, self.bic] {
            w.f64(v);
        }
        w.u64(self.nobs as u64);
        w.u64(self.n as u64);
        w.u8(self.code);
        match self.flat {
            Some(c) => {
                w.u8(1);
                w.f64(c);
            }
            None => w.u8(0),
        }
        w.f64s(&self.a);
        w.f64s(&self.p);
    }

    /// Read back what [`ArimaModel::encode`] wrote.
    pub fn decode(r: &mut Reader<'_>) -> Result<ArimaModel> {
        if r.u8()? != VERSION {
            return Err(bad("unknown version"));
        }
        let mut u = [0usize; 8];
        for v in u.iter_mut() {
            *v = r.u32()? as usize;
        }
        let [p, d, q, sp, sd, sq, period, n_xreg] = u;
        let order = Order {
            p,
            d,
            q,
            sp,
            sd,
            sq,
            period,
        };
        if period == 0
            || [p, q, sp, sq].iter().any(|&k| k > 50)
            || d > 10
            || sd > 10
            || n_xreg > 1 << 20
        {
            return Err(bad("orders out of range"));
        }
        if order.state_dim() > 2000 {
            return Err(bad("state dimension out of range"));
        }
        let method = Method::from_code(r.u8()?).ok_or_else(|| bad("unknown method"))?;
        let flags = r.u8()?;
        if flags > 3 {
            return Err(bad("unknown flags"));
        }
        let (has_intercept, has_drift) = (flags & 1 == 1, flags & 2 == 2);
        let coef = r.f64s()?;
        let ncoef = order.narma() + usize::from(has_intercept) + usize::from(has_drift) + n_xreg;
        if coef.len() != ncoef || coef.iter().any(|v| !v.is_finite()) {
            return Err(bad("coefficients inconsistent with the orders"));
        }
        let nmask = r.u32()? as usize;
        if nmask != ncoef {
            return Err(bad("mask length"));
        }
        let mut mask = Vec::with_capacity(nmask);
        for _ in 0..nmask {
            mask.push(match r.u8()? {
                0 => false,
                1 => true,
                _ => return Err(bad("mask value")),
            });
        }
        let mut stats = [0.0; 5];
        for v in stats.iter_mut() {
            *v = r.f64()?;
        }
        let [sigma2, loglik, aic, aicc, bic] = stats;
        if sigma2.is_nan() || sigma2 < 0.0 || sigma2.is_infinite() {
            return Err(bad("sigma2"));
        }
        let nobs = usize::try_from(r.u64()?).map_err(|_| bad("nobs"))?;
        let n = usize::try_from(r.u64()?).map_err(|_| bad("n"))?;
        if n <= order.ndelta() || nobs != n - order.ndelta() {
            return Err(bad("observation counts"));
        }
        let code = r.u8()?;
        if code > 3 {
            return Err(bad("optimiser code"));
        }
        let flat = match r.u8()? {
            0 => None,
            1 => Some(r.f64()?)
                .filter(|v| v.is_finite())
                .map(Some)
                .ok_or_else(|| bad("flat value"))?,
            _ => return Err(bad("flat flag")),
        };
        let a = r.f64s()?;
        let pm = r.f64s()?;
        let rd = order.state_dim();
        if a.len() != rd || pm.len() != rd * rd || a.iter().chain(&pm).any(|v| !v.is_finite()) {
            return Err(bad("state inconsistent with the orders"));
        }
        let (lp, lq) = order.poly_lens();
        let (mut phi, mut theta) = (vec![0.0; lp], vec![0.0; lq]);
        expand(&coef, &order, false, &mut phi, &mut theta);
        Ok(ArimaModel {
            order,
            method,
            coef,
            mask,
            has_intercept,
            has_drift,
            n_xreg,
            sigma2,
            loglik,
            aic,
            aicc,
            bic,
            nobs,
            n,
            code,
            flat,
            phi,
            theta,
            delta: order.delta(),
            a,
            p: pm,
        })
    }
}
