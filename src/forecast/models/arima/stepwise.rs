//! The stepwise neighbourhood search of Hyndman & Khandakar (2008) as statsforecast's
//! `auto_arima_f` runs it: start from `(p, q)(P, Q) = (2, 2)(1, 1)` (or the configured
//! start), then the null model, `(1, 0)(1, 0)`, `(0, 1)(0, 1)` and the model without
//! constant; then repeatedly try the neighbours of the best model in a fixed order (vary
//! `P`, `Q`, both, then `p`, `q`, both, then toggle the constant), moving to the first that
//! improves the criterion, until none does or `nmodels` fits were made. Each candidate is
//! fitted once. Also the full grid (statsforecast's `search_arima`).

use super::candidate::{Candidate, Ctx};
use super::search::{AutoConfig, Limits, Tried};
use super::Method;

/// Run the stepwise search; returns the best candidate and every candidate tried.
pub(super) fn stepwise(
    ctx: &Ctx<'_>,
    cfg: &AutoConfig,
    l: Limits,
    constant0: bool,
    n: usize,
    method: Method,
) -> (Candidate, Tried) {
    let (mut start_p, mut start_q, mut start_sp, mut start_sq) =
        (cfg.start_p, cfg.start_q, cfg.start_sp, cfg.start_sq);
    if n < 10 {
        start_p = start_p.min(1);
        start_q = start_q.min(1);
        start_sp = 0;
        start_sq = 0;
    }
    let mut p = start_p.min(l.max_p);
    let mut q = start_q.min(l.max_q);
    let mut sp = start_sp.min(l.max_sp);
    let mut sq = start_sq.min(l.max_sq);
    let mut constant = constant0;
    let nmodels = cfg.nmodels;
    let mut tried: Tried = Vec::with_capacity(nmodels);
    let fit = |o: [usize; 4], c: bool| ctx.myarima(o, c, method);

    let mut best = fit([p, q, sp, sq], constant);
    tried.push(([p, q, sp, sq], best.ic, constant));
    let f = fit([0, 0, 0, 0], constant);
    tried.push(([0, 0, 0, 0], f.ic, constant));
    if f.ic < best.ic {
        best = f;
        (p, q, sp, sq) = (0, 0, 0, 0);
    }
    if l.max_p > 0 || l.max_sp > 0 {
        let p_ = usize::from(l.max_p > 0);
        let sp_ = usize::from(ctx.m > 1 && l.max_sp > 0);
        let f = fit([p_, 0, sp_, 0], constant);
        tried.push(([p_, 0, sp_, 0], f.ic, constant));
        if f.ic < best.ic {
            best = f;
            (p, sp, q, sq) = (p_, sp_, 0, 0);
        }
    }
    if l.max_q > 0 || l.max_sq > 0 {
        let q_ = usize::from(l.max_q > 0);
        let sq_ = usize::from(ctx.m > 1 && l.max_sq > 0);
        let f = fit([0, q_, 0, sq_], constant);
        tried.push(([0, q_, 0, sq_], f.ic, constant));
        if f.ic < best.ic {
            best = f;
            (p, sp, q, sq) = (0, 0, q_, sq_);
        }
    }
    if constant {
        let f = fit([0, 0, 0, 0], false);
        tried.push(([0, 0, 0, 0], f.ic, false));
        if f.ic < best.ic {
            best = f;
            (p, q, sp, sq) = (0, 0, 0, 0);
        }
    }
    tried.truncate(nmodels);

    let is_new =
        |tried: &Tried, o: [usize; 4], c: bool| !tried.iter().any(|(t, _, tc)| *t == o && *tc == c);
    let mut startk = 0;
    while startk < tried.len() && tried.len() < nmodels {
        startk = tried.len();
        // Neighbours in statsforecast's order: (dp, dq, dP, dQ, toggle constant).
        let moves: [(i32, i32, i32, i32, bool); 17] = [
            (0, 0, -1, 0, false),
            (0, 0, 0, -1, false),
            (0, 0, 1, 0, false),
            (0, 0, 0, 1, false),
            (0, 0, -1, -1, false),
            (0, 0, -1, 1, false),
            (0, 0, 1, -1, false),
            (0, 0, 1, 1, false),
            (-1, 0, 0, 0, false),
            (0, -1, 0, 0, false),
            (1, 0, 0, 0, false),
            (0, 1, 0, 0, false),
            (-1, -1, 0, 0, false),
            (-1, 1, 0, 0, false),
            (1, -1, 0, 0, false),
            (1, 1, 0, 0, false),
            (0, 0, 0, 0, true),
        ];
        for (dp, dq, dsp, dsq, toggle) in moves {
            if toggle && !constant0 {
                continue;
            }
            let step = |v: usize, dv: i32, max: usize| -> Option<usize> {
                match dv {
                    -1 => v.checked_sub(1),
                    1 if v < max => Some(v + 1),
                    1 => None,
                    _ => Some(v),
                }
            };
            let (Some(np), Some(nq), Some(nsp), Some(nsq)) = (
                step(p, dp, l.max_p),
                step(q, dq, l.max_q),
                step(sp, dsp, l.max_sp),
                step(sq, dsq, l.max_sq),
            ) else {
                continue;
            };
            let nc = if toggle { !constant } else { constant };
            let o = [np, nq, nsp, nsq];
            if !is_new(&tried, o, nc) {
                continue;
            }
            if tried.len() >= nmodels {
                // statsforecast's try_params: no fit once the table is full.
                continue;
            }
            let f = fit(o, nc);
            tried.push((o, f.ic, nc));
            if f.ic < best.ic {
                best = f;
                (p, q, sp, sq, constant) = (np, nq, nsp, nsq, nc);
                break;
            }
        }
    }
    (best, tried)
}

/// statsforecast's `search_arima` (the full grid, `p + q + P + Q ≤ max_order`).
pub(super) fn grid(
    ctx: &Ctx<'_>,
    cfg: &AutoConfig,
    l: Limits,
    allow_k: bool,
    method: Method,
) -> (Candidate, Tried) {
    let mut best = Candidate {
        ic: f64::INFINITY,
        model: None,
    };
    let mut tried = Vec::new();
    for i in 0..=l.max_p {
        for j in 0..=l.max_q {
            for ii in 0..=l.max_sp {
                for jj in 0..=l.max_sq {
                    if i + j + ii + jj > cfg.max_order {
                        continue;
                    }
                    for kk in 0..=usize::from(allow_k) {
                        let o = [i, j, ii, jj];
                        let f = ctx.myarima(o, kk == 1, method);
                        tried.push((o, f.ic, kk == 1));
                        if f.ic < best.ic {
                            best = f;
                        }
                    }
                }
            }
        }
    }
    (best, tried)
}
