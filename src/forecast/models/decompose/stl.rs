//! STL (Cleveland, Cleveland, McRae & Terpenning 1990): the inner loop (detrend, smooth
//! each cycle-subseries with LOESS extended one period at both ends, low-pass filter the
//! result, deseasonalise, smooth the trend) and the outer robustness loop (bisquare weights
//! on the remainder, six times its median as scale). Numbers follow statsmodels'
//! `STL(...).fit()`, which ports the authors' Fortran.
//!
//! [`Workspace`] holds every buffer and the LOESS plans for one series length and one set
//! of parameters, so repeated fits (MSTL's iterations) allocate nothing.

use super::loess::{dot, local_weights, smooth_direct, Plan, Tricube};
use super::params::StlValid;
use crate::error::{Error, Result};

/// An STL decomposition: `y = seasonal + trend + resid` element by element.
#[derive(Debug, Clone, PartialEq)]
pub struct Stl {
    /// The seasonal component.
    pub seasonal: Vec<f64>,
    /// The trend component.
    pub trend: Vec<f64>,
    /// `y - seasonal - trend`.
    pub resid: Vec<f64>,
    /// Final robustness weights (all 1 without robustness iterations).
    pub weights: Vec<f64>,
}

/// STL of `y` with checked parameters. Errors when `y` holds fewer than two full periods
/// or a non-finite value (the caller knows the series index; this reports 0).
pub fn stl(y: &[f64], p: &StlValid) -> Result<Stl> {
    check_series(y, p.period)?;
    let mut ws = Workspace::new(y.len(), p);
    ws.fit(y);
    let resid = y
        .iter()
        .zip(&ws.season)
        .zip(&ws.trend)
        .map(|((v, s), t)| v - s - t)
        .collect();
    Ok(Stl {
        seasonal: ws.season,
        trend: ws.trend,
        resid,
        weights: ws.rw,
    })
}

/// Fewer than two full periods, or a non-finite value, is an error.
pub(crate) fn check_series(y: &[f64], period: usize) -> Result<()> {
    if y.len() < period.saturating_mul(2) {
        return Err(Error::InvalidSeries {
            series: 0,
            reason: format!(
                "STL needs at least two full periods ({} values for period {period}), got {}",
                period.saturating_mul(2),
                y.len()
            ),
        });
    }
    if let Some(t) = y.iter().position(|v| !v.is_finite()) {
        return Err(Error::InvalidSeries {
            series: 0,
            reason: format!("value {t} is not finite"),
        });
    }
    Ok(())
}

/// LOESS of one cycle-subseries length: the smooth at its points, and the weights of the
/// two extension points one period before the first and after the last.
#[derive(Debug, Clone)]
struct SubseriesPlan {
    main: Plan,
    before: Option<(usize, Vec<f64>)>,
    after: Option<(usize, Vec<f64>)>,
}

impl SubseriesPlan {
    fn new(k: usize, p: &StlValid, tri: &mut Tricube) -> SubseriesPlan {
        let (ns, deg) = (p.seasonal, p.seasonal_deg);
        let mut w = vec![0.0; k];
        let mut ext = |xs: usize, lo: usize, hi: usize| {
            local_weights(k, ns, deg, xs, lo, hi, None, &mut w, tri)
                .then(|| (lo, w[lo..=hi].to_vec()))
        };
        let before = ext(0, 0, ns.min(k) - 1);
        let after = ext(k + 1, k.saturating_sub(ns), k - 1);
        SubseriesPlan {
            main: Plan::new(k, ns, deg, p.seasonal_jump, tri),
            before,
            after,
        }
    }
}

/// Buffers and plans for STL fits of series of one length with one set of parameters.
#[derive(Debug, Clone)]
pub(crate) struct Workspace {
    p: StlValid,
    n: usize,
    /// Seasonal component of the last fit.
    pub(crate) season: Vec<f64>,
    /// Trend component of the last fit.
    pub(crate) trend: Vec<f64>,
    /// Robustness weights of the last fit.
    pub(crate) rw: Vec<f64>,
    /// `y - trend`, then `y - season`.
    work: Vec<f64>,
    /// The smoothed cycle-subseries, one period longer at both ends (`n + 2 period`).
    cycle: Vec<f64>,
    ma1: Vec<f64>,
    ma2: Vec<f64>,
    low: Vec<f64>,
    sub_y: Vec<f64>,
    sub_rw: Vec<f64>,
    sub_out: Vec<f64>,
    scratch: Vec<f64>,
    tri: Tricube,
    /// Subseries plans for lengths `kmax` (index 0) and `kmax - 1` (index 1).
    sub_plans: Vec<SubseriesPlan>,
    /// `None` when too large to precompute (long series, wide windows): smoothed directly.
    low_plan: Option<Plan>,
    trend_plan: Option<Plan>,
}

impl Workspace {
    /// Buffers for series of length `n >= period` (every cycle-subseries non-empty).
    pub(crate) fn new(n: usize, p: &StlValid) -> Workspace {
        let np = p.period;
        let kmax = n.div_ceil(np).max(1);
        let mut tri = Tricube::default();
        let mut sub_plans = vec![SubseriesPlan::new(kmax, p, &mut tri)];
        if kmax > 1 && n % np != 0 {
            sub_plans.push(SubseriesPlan::new(kmax - 1, p, &mut tri));
        }
        let low_plan = Plan::affordable(n, p.low_pass)
            .then(|| Plan::new(n, p.low_pass, p.low_pass_deg, p.low_pass_jump, &mut tri));
        let trend_plan = Plan::affordable(n, p.trend)
            .then(|| Plan::new(n, p.trend, p.trend_deg, p.trend_jump, &mut tri));
        Workspace {
            p: *p,
            n,
            season: vec![0.0; n],
            trend: vec![0.0; n],
            rw: vec![1.0; n],
            work: vec![0.0; n],
            cycle: vec![0.0; n + 2 * np],
            ma1: vec![0.0; n + 2 * np],
            ma2: vec![0.0; n + 2 * np],
            low: vec![0.0; n],
            sub_y: vec![0.0; kmax],
            sub_rw: vec![0.0; kmax],
            sub_out: vec![0.0; kmax + 2],
            scratch: vec![0.0; n.max(kmax + 2)],
            tri,
            sub_plans,
            low_plan,
            trend_plan,
        }
    }

    /// Decompose `y` (length `n`, finite) into `season` and `trend` (and `rw`).
    pub(crate) fn fit(&mut self, y: &[f64]) {
        self.season.fill(0.0);
        self.trend.fill(0.0);
        self.rw.fill(1.0);
        let mut robust = false;
        for outer in 0..=self.p.outer_iter {
            for _ in 0..self.p.inner_iter {
                self.inner_pass(y, robust);
            }
            if outer < self.p.outer_iter {
                self.robustness_weights(y);
                robust = true;
            }
        }
    }

    fn inner_pass(&mut self, y: &[f64], robust: bool) {
        let (n, np) = (self.n, self.p.period);
        for ((w, v), t) in self.work.iter_mut().zip(y).zip(&self.trend) {
            *w = v - t;
        }
        self.smooth_subseries(robust);
        // Low-pass: moving averages of lengths period, period and 3, then LOESS.
        moving_average(&self.cycle[..n + 2 * np], np, &mut self.ma1);
        moving_average(&self.ma1[..n + np + 1], np, &mut self.ma2);
        moving_average(&self.ma2[..n + 2], 3, &mut self.ma1);
        match &self.low_plan {
            Some(plan) => plan.smooth(&self.ma1[..n], &mut self.low),
            None => smooth_direct(
                &self.ma1[..n],
                self.p.low_pass,
                self.p.low_pass_deg,
                self.p.low_pass_jump,
                None,
                &mut self.low,
                &mut self.scratch,
                &mut self.tri,
            ),
        }
        let cycle = &self.cycle[np..np + n];
        for (((s, w), c), (l, v)) in self
            .season
            .iter_mut()
            .zip(&mut self.work)
            .zip(cycle)
            .zip(self.low.iter().zip(y))
        {
            *s = c - l;
            *w = v - *s;
        }
        let p = &self.p;
        if let (false, Some(plan)) = (robust, &self.trend_plan) {
            plan.smooth(&self.work, &mut self.trend);
        } else {
            let rw = robust.then_some(&self.rw[..]);
            smooth_direct(
                &self.work,
                p.trend,
                p.trend_deg,
                p.trend_jump,
                rw,
                &mut self.trend,
                &mut self.scratch,
                &mut self.tri,
            );
        }
    }

    /// Smooth each cycle-subseries of `work` into `cycle`, extended by one value at each end.
    fn smooth_subseries(&mut self, robust: bool) {
        let (n, np) = (self.n, self.p.period);
        let p = self.p;
        for j in 0..np.min(n) {
            let k = (n - 1 - j) / np + 1;
            for (m, v) in self.sub_y[..k].iter_mut().enumerate() {
                *v = self.work[m * np + j];
            }
            let (ys, out) = (&self.sub_y[..k], &mut self.sub_out[..k + 2]);
            let plan = if self.sub_plans[0].main.n() == k {
                &self.sub_plans[0]
            } else {
                &self.sub_plans[self.sub_plans.len() - 1]
            };
            let (before, after) = if robust {
                for (m, v) in self.sub_rw[..k].iter_mut().enumerate() {
                    *v = self.rw[m * np + j];
                }
                let rw = Some(&self.sub_rw[..k]);
                smooth_direct(
                    ys,
                    p.seasonal,
                    p.seasonal_deg,
                    p.seasonal_jump,
                    rw,
                    &mut out[1..=k],
                    &mut self.scratch,
                    &mut self.tri,
                );
                let (w, tri) = (&mut self.scratch, &mut self.tri);
                let mut ext = |xs: usize, lo: usize, hi: usize| {
                    local_weights(k, p.seasonal, p.seasonal_deg, xs, lo, hi, rw, w, tri)
                        .then(|| dot(&w[lo..=hi], &ys[lo..=hi]))
                };
                (
                    ext(0, 0, p.seasonal.min(k) - 1),
                    ext(k + 1, k.saturating_sub(p.seasonal), k - 1),
                )
            } else {
                plan.main.smooth(ys, &mut out[1..=k]);
                let ext = |e: &Option<(usize, Vec<f64>)>| {
                    e.as_ref().map(|(lo, w)| dot(w, &ys[*lo..*lo + w.len()]))
                };
                (ext(&plan.before), ext(&plan.after))
            };
            out[0] = before.unwrap_or(out[1]);
            out[k + 1] = after.unwrap_or(out[k]);
            for (m, v) in out.iter().enumerate() {
                self.cycle[m * np + j] = *v;
            }
        }
    }

    /// Bisquare robustness weights of the remainder `y - season - trend`, scaled by six
    /// times its median absolute value (the mean of the two middle values for even `n`).
    fn robustness_weights(&mut self, y: &[f64]) {
        let n = self.n;
        for ((r, v), (t, s)) in self
            .rw
            .iter_mut()
            .zip(y)
            .zip(self.trend.iter().zip(&self.season))
        {
            *r = (v - (t + s)).abs();
        }
        let buf = &mut self.scratch[..n];
        buf.copy_from_slice(&self.rw);
        let (m0, m1) = (n / 2, n - n / 2 - 1);
        let a = *buf.select_nth_unstable_by(m0, f64::total_cmp).1;
        let b = *buf.select_nth_unstable_by(m1, f64::total_cmp).1;
        let cmad = 3.0 * (a + b);
        if cmad == 0.0 {
            self.rw.fill(1.0);
            return;
        }
        let (c9, c1) = (0.999 * cmad, 0.001 * cmad);
        for r in &mut self.rw {
            *r = if *r <= c1 {
                1.0
            } else if *r <= c9 {
                let u = *r / cmad;
                (1.0 - u * u) * (1.0 - u * u)
            } else {
                0.0
            };
        }
    }
}

/// Running mean of `len` consecutive values of `x` into `out[..x.len() - len + 1]`.
fn moving_average(x: &[f64], len: usize, out: &mut [f64]) {
    let m = x.len() + 1 - len;
    let flen = len as f64;
    let mut v: f64 = x[..len].iter().sum();
    out[0] = v / flen;
    for j in 1..m {
        v += x[j + len - 1] - x[j - 1];
        out[j] = v / flen;
    }
}

#[cfg(test)]
#[path = "stl_tests.rs"]
mod tests;
