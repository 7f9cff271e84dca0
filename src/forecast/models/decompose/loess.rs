//! LOESS as STL uses it (Cleveland et al. 1990, section 2): at each evaluation point a
//! weighted least-squares fit of degree 0 or 1 over a window of `len` neighbours with
//! tricube weights (times optional robustness weights), evaluated every `jump` points and
//! linearly interpolated in between. Positions are 1-based, as in the paper and in
//! statsmodels' STL, so numbers agree with it.
//!
//! The arithmetic follows statsmodels' operation for operation (tricube weights through
//! `pow`, sequential sums), so results agree to the last bit or nearly: robust STL's
//! weights have thresholds where a last-bit difference flips a weight.
//!
//! A [`Plan`] holds the effective weights of every evaluation point for a series length
//! without robustness weights: STL smooths series of the same length with the same window
//! many times (inner iterations, MSTL iterations), and a plan turns each of those smooths
//! into dot products. [`smooth_direct`] computes the weights on the fly (robust passes);
//! both look the tricube weights up in a [`Tricube`] table.

/// Tricube weights `(1 - (r/h)^3)^3` by integer bandwidth `h` and distance `r <= h`
/// (1 within 0.001 h, 0 beyond 0.999 h), computed once per bandwidth.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tricube {
    tables: Vec<Vec<f64>>,
}

impl Tricube {
    /// The weights for bandwidth `h` (`h + 1` values, indexed by distance).
    fn table(&mut self, h: usize) -> &[f64] {
        if self.tables.len() <= h {
            self.tables.resize(h + 1, Vec::new());
        }
        let t = &mut self.tables[h];
        if t.is_empty() {
            let hf = h as f64;
            let (h9, h1) = (0.999 * hf, 0.001 * hf);
            t.extend((0..=h).map(|r| {
                let r = r as f64;
                if r <= h1 {
                    1.0
                } else if r <= h9 {
                    (1.0 - (r / hf).powf(3.0)).powf(3.0)
                } else {
                    0.0
                }
            }));
        }
        t
    }
}

/// The effective weights of the local fit at the 1-based position `xs` over the 0-based
/// window `lo..=hi` of a series of length `n`, written to `w[lo..=hi]` (the weights times
/// `y` give the fitted value). `rw` multiplies the tricube weights (robustness). Returns
/// false when every weight is zero (no fit; the caller falls back).
#[allow(clippy::too_many_arguments)]
pub(crate) fn local_weights(
    n: usize,
    len: usize,
    deg: usize,
    xs: usize,
    lo: usize,
    hi: usize,
    rw: Option<&[f64]>,
    w: &mut [f64],
    tri: &mut Tricube,
) -> bool {
    let Some(win) = w.get_mut(lo..=hi) else {
        return false;
    };
    let rw = match rw {
        Some(r) => match r.get(lo..=hi) {
            Some(r) => Some(r),
            None => return false,
        },
        None => None,
    };
    let mut h = xs.abs_diff(lo + 1).max((hi + 1).abs_diff(xs));
    if len > n {
        h += (len - n) / 2;
    }
    let table = tri.table(h);
    let mut total = 0.0;
    for (k, wk) in win.iter_mut().enumerate() {
        let mut v = table.get((lo + k + 1).abs_diff(xs)).copied().unwrap_or(0.0);
        if let Some(rw) = rw {
            v *= rw[k];
        }
        *wk = v;
        total += v;
    }
    if total <= 0.0 {
        return false;
    }
    for wk in win.iter_mut() {
        *wk /= total;
    }
    if h > 0 && deg > 0 {
        let pos = |k: usize| (lo + k + 1) as f64;
        let xs = xs as f64;
        let a = win
            .iter()
            .enumerate()
            .fold(0.0, |s, (k, wk)| s + wk * pos(k));
        let c = win.iter().enumerate().fold(0.0, |s, (k, wk)| {
            let d = pos(k) - a;
            s + wk * (d * d)
        });
        if c.sqrt() > 0.001 * (n as f64 - 1.0) {
            let b = (xs - a) / c;
            for (k, wk) in win.iter_mut().enumerate() {
                *wk *= b * (pos(k) - a) + 1.0;
            }
        }
    }
    true
}

/// The 0-based window of the evaluation at 0-based point `i` (odd `len`): centred on `i`,
/// shifted inside the series at the ends, the whole series when `len >= n`.
pub(crate) fn window(n: usize, len: usize, i: usize) -> (usize, usize) {
    if len >= n {
        return (0, n.saturating_sub(1));
    }
    let half = len.div_ceil(2);
    let lo = (i + 1).saturating_sub(half).min(n - len);
    (lo, lo + len - 1)
}

/// The points evaluated directly for a series of length `n >= 2`: every `jump`-th (capped
/// at `n - 1`) from the first, then the last if the step missed it. The last one uses the
/// window of the point before it (as the reference implementation does).
fn eval_points(n: usize, len: usize, jump: usize) -> impl Iterator<Item = (usize, usize, usize)> {
    let step = jump.min(n - 1).max(1);
    let last_grid = (n - 1) / step * step;
    let grid = (0..n).step_by(step).map(move |i| {
        let (lo, hi) = window(n, len, i);
        (i, lo, hi)
    });
    let tail = (last_grid != n - 1).then(|| {
        let (lo, hi) = window(n, len, last_grid);
        (n - 1, lo, hi)
    });
    grid.chain(tail)
}

/// Linear interpolation between the directly evaluated points of `out` (see
/// [`eval_points`]).
fn interpolate(out: &mut [f64], jump: usize) {
    let n = out.len();
    let step = jump.min(n.saturating_sub(1)).max(1);
    if step == 1 {
        return;
    }
    let mut i = 0;
    while i + step < n {
        let (a, b) = (out[i], out[i + step]);
        let delta = (b - a) / step as f64;
        for (k, o) in out[i + 1..i + step].iter_mut().enumerate() {
            *o = a + delta * (k + 1) as f64;
        }
        i += step;
    }
    let last_grid = (n - 1) / step * step;
    if last_grid + 1 < n - 1 {
        let (a, b) = (out[last_grid], out[n - 1]);
        let delta = (b - a) / (n - 1 - last_grid) as f64;
        for (k, o) in out[last_grid + 1..n - 1].iter_mut().enumerate() {
            *o = a + delta * (k + 1) as f64;
        }
    }
}

/// `Σ a·b`, left to right (the reference's order).
#[inline]
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).fold(0.0, |s, (x, y)| s + x * y)
}

/// LOESS of `y` into `out` (same length) computing the weights at each point, with
/// optional robustness weights `rw`; `w` is scratch of at least `y.len()`. A point whose
/// weights are all zero keeps its own value.
#[allow(clippy::too_many_arguments)]
pub(crate) fn smooth_direct(
    y: &[f64],
    len: usize,
    deg: usize,
    jump: usize,
    rw: Option<&[f64]>,
    out: &mut [f64],
    w: &mut [f64],
    tri: &mut Tricube,
) {
    let n = y.len();
    if n < 2 {
        out[..n].copy_from_slice(y);
        return;
    }
    for (i, lo, hi) in eval_points(n, len, jump) {
        out[i] = if local_weights(n, len, deg, i + 1, lo, hi, rw, w, tri) {
            dot(&w[lo..=hi], &y[lo..=hi])
        } else {
            y[i]
        };
    }
    interpolate(&mut out[..n], jump);
}

/// One directly evaluated point of a [`Plan`]: its index, window start and the offset of
/// its weights in the plan's weight store.
#[derive(Debug, Clone, Copy)]
struct Point {
    i: usize,
    lo: usize,
    koff: usize,
}

/// The LOESS of a series of length `n` with window `len`, degree `deg` and step `jump`,
/// without robustness weights, as precomputed weights (`min(len, n)` per evaluated point).
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    n: usize,
    len: usize,
    jump: usize,
    points: Vec<Point>,
    weights: Vec<f64>,
}

impl Plan {
    /// Weights stored at most (32 MB): beyond, smooth directly.
    const MAX_WEIGHTS: usize = 1 << 22;

    /// Whether a plan for length `n` and window `len` stays within [`Plan::MAX_WEIGHTS`].
    pub(crate) fn affordable(n: usize, len: usize) -> bool {
        n.saturating_mul(len.min(n)) <= Self::MAX_WEIGHTS
    }

    /// Precompute the weights (`n >= 1`, `len >= 1`).
    pub(crate) fn new(n: usize, len: usize, deg: usize, jump: usize, tri: &mut Tricube) -> Plan {
        let mut plan = Plan {
            n,
            len,
            jump,
            points: Vec::new(),
            weights: Vec::new(),
        };
        if n < 2 {
            return plan;
        }
        let mut scratch = vec![0.0; n];
        for (i, lo, hi) in eval_points(n, len, jump) {
            // Without robustness weights the point itself always has weight 1.
            local_weights(n, len, deg, i + 1, lo, hi, None, &mut scratch, tri);
            let koff = plan.weights.len();
            plan.weights.extend_from_slice(&scratch[lo..=hi]);
            plan.points.push(Point { i, lo, koff });
        }
        plan
    }

    /// The series length this plan smooths.
    pub(crate) fn n(&self) -> usize {
        self.n
    }

    /// Smooth `y` (length `n`) into `out` (length `n`).
    pub(crate) fn smooth(&self, y: &[f64], out: &mut [f64]) {
        let n = self.n;
        if n < 2 {
            out[..n].copy_from_slice(&y[..n]);
            return;
        }
        let width = self.len.min(n);
        for p in &self.points {
            out[p.i] = dot(
                &self.weights[p.koff..p.koff + width],
                &y[p.lo..p.lo + width],
            );
        }
        interpolate(&mut out[..n], self.jump);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(y: &[f64], len: usize, deg: usize, jump: usize) -> (Vec<f64>, Vec<f64>) {
        let n = y.len();
        let (mut a, mut b, mut w) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        let mut tri = Tricube::default();
        smooth_direct(y, len, deg, jump, None, &mut a, &mut w, &mut tri);
        Plan::new(n, len, deg, jump, &mut tri).smooth(y, &mut b);
        (a, b)
    }

    #[test]
    fn degree_one_reproduces_a_line_and_degree_zero_a_constant() {
        let line: Vec<f64> = (0..40).map(|t| 3.0 - 0.25 * t as f64).collect();
        for (len, jump) in [(3, 1), (7, 1), (9, 3), (41, 1), (61, 4), (11, 7)] {
            let (a, b) = both(&line, len, 1, jump);
            for t in 0..line.len() {
                assert!(
                    (a[t] - line[t]).abs() < 1e-12,
                    "len {len} jump {jump} t {t}"
                );
                assert!((b[t] - line[t]).abs() < 1e-12);
            }
        }
        let flat = vec![2.5; 23];
        for (len, jump) in [(5, 1), (9, 2), (31, 1)] {
            let (a, b) = both(&flat, len, 0, jump);
            assert!(a.iter().chain(&b).all(|v| (v - 2.5).abs() < 1e-14));
        }
    }

    #[test]
    fn hand_checked_degree_zero_window_of_three() {
        // len 3, interior: h = 1, neighbours at distance 1 > 0.999 h get weight 0, so the
        // fit is the point itself; at the ends the window is shifted: h = 2, weights
        // 1, (1 - 1/8)^3, 0.
        let y = [1.0, 4.0, 2.0, 8.0];
        let (a, b) = both(&y, 3, 0, 1);
        let w1 = (1.0f64 - 0.125).powi(3);
        let end0 = (1.0 + 4.0 * w1) / (1.0 + w1);
        let end3 = (8.0 + 2.0 * w1) / (1.0 + w1);
        for out in [a, b] {
            assert!((out[0] - end0).abs() < 1e-15);
            assert_eq!(out[1], 4.0);
            assert_eq!(out[2], 2.0);
            assert!((out[3] - end3).abs() < 1e-15);
        }
    }

    #[test]
    fn plan_equals_direct_and_robustness_weights_apply() {
        let y: Vec<f64> = (0..57)
            .map(|t| ((t * 37) % 11) as f64 + 0.1 * t as f64)
            .collect();
        for (len, deg, jump) in [(7, 1, 1), (13, 0, 2), (15, 1, 3), (101, 1, 5), (57, 0, 1)] {
            let (a, b) = both(&y, len, deg, jump);
            for t in 0..y.len() {
                assert!((a[t] - b[t]).abs() < 1e-12, "{len} {deg} {jump} {t}");
            }
        }
        // A zero robustness weight removes the point from its neighbours' fits.
        let mut rw = vec![1.0; y.len()];
        rw[20] = 0.0;
        let mut z = y.clone();
        z[20] = 1e6;
        let (mut a, mut b, mut w) = (vec![0.0; 57], vec![0.0; 57], vec![0.0; 57]);
        let mut tri = Tricube::default();
        smooth_direct(&y, 9, 1, 1, Some(&rw), &mut a, &mut w, &mut tri);
        smooth_direct(&z, 9, 1, 1, Some(&rw), &mut b, &mut w, &mut tri);
        for t in 0..57 {
            assert!((a[t] - b[t]).abs() < 1e-9, "{t}");
        }
        // All-zero weights: the point keeps its value.
        let zeros = vec![0.0; 57];
        smooth_direct(&y, 9, 1, 1, Some(&zeros), &mut a, &mut w, &mut tri);
        assert_eq!(a, y);
    }

    #[test]
    fn tiny_series() {
        let (a, b) = both(&[5.0], 7, 1, 1);
        assert_eq!((a, b), (vec![5.0], vec![5.0]));
        let (a, _) = both(&[1.0, 3.0], 7, 1, 3);
        assert!((a[0] - 1.0).abs() < 1e-12 && (a[1] - 3.0).abs() < 1e-12);
    }
}
