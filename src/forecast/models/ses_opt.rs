//! Simple exponential smoothing with `alpha` chosen by golden-section search on the
//! in-sample SSE, reproducing statsforecast's `_optimized_ses_forecast` bit for bit.
//!
//! statsforecast's recursion (`ses_forecast`, `ses_sse`) starts from `f = x_0` and applies
//! `f = alpha x_{i-1} + (1 - alpha) f` for i = 1..n, so the first update re-smooths `x_0`
//! with itself (equal to `x_0` up to one rounding). The SSE sums `(x_i - f)^2` over
//! i = 1..n-1; the forecast is `f` after the last step (`x_0` itself for one observation).
//!
//! The search (learnt by probing the compiled `golden_section_ses` on thousands of inputs,
//! all matched bit for bit): bracket `[a, b]` = the bounds, inner points
//! `c = b - (b - a) / phi` and `d = a + (b - a) / phi`; while `|b - a| > 1e-12`: if
//! `f(c) < f(d)` keep `[a, d]` (old `c` becomes `d`, a new `c` is evaluated), if
//! `f(c) > f(d)` keep `[c, b]` symmetrically, and on an exact tie stop. Return `(a + b) / 2`.
//! Constant series (every SSE equal) therefore get the bracket's midpoint.
//!
//! Frozen by a fit: alpha. Refiltering re-runs the recursion from `x_0` with it.

use super::refilter::FittedOut;
use super::rms;
use crate::forecast::fitted::Fitted;
use crate::forecast::frozen::Frozen;

/// statsforecast's bounds for `SimpleExponentialSmoothingOptimized`.
pub const SES_OPT_BOUNDS: (f64, f64) = (0.01, 0.99);
/// statsforecast's default bounds of `_optimized_ses_forecast` (Croston, ADIDA, IMAPA).
pub const INTERMITTENT_BOUNDS: (f64, f64) = (0.1, 0.3);
/// Width at which the golden-section search stops.
const TOL: f64 = 1e-12;

/// In-sample sum of squared one-step errors of SES with `alpha` (0 below two points).
pub fn sse(alpha: f64, x: &[f64]) -> f64 {
    if x.len() < 2 {
        return 0.0;
    }
    let complement = 1.0 - alpha;
    let mut f = x[0];
    let mut sse = 0.0;
    for i in 1..x.len() {
        f = alpha * x[i - 1] + complement * f;
        let e = x[i] - f;
        sse += e * e;
    }
    sse
}

/// The one-step forecast after all of `x` (non-empty), and the in-sample one-step
/// forecasts: `fitted[i - 1]` is the forecast of `x_i`, i = 1..n-1.
pub fn forecast_and_fitted(alpha: f64, x: &[f64]) -> (f64, Vec<f64>) {
    let complement = 1.0 - alpha;
    let mut f = x[0];
    let mut fitted = Vec::with_capacity(x.len().saturating_sub(1));
    if x.len() == 1 {
        return (f, fitted);
    }
    for i in 1..=x.len() {
        f = alpha * x[i - 1] + complement * f;
        if i < x.len() {
            fitted.push(f);
        }
    }
    (f, fitted)
}

/// The one-step forecast after all of `x` (non-empty).
pub fn forecast(alpha: f64, x: &[f64]) -> f64 {
    if x.len() == 1 {
        return x[0];
    }
    let complement = 1.0 - alpha;
    x.iter().fold(x[0], |f, &v| alpha * v + complement * f)
}

/// [`sse`] at three alphas in one pass over `x`. The recursions are independent, so the
/// CPU overlaps them (one alone is bound by the latency of its multiply-add chain). They run
/// in four uniform lanes (the fourth repeats the third) so the compiler can keep them in
/// SIMD registers without shuffles; each lane runs exactly the operations of [`sse`], so
/// the results are bit for bit the same.
fn sse3(alphas: [f64; 3], x: &[f64]) -> [f64; 3] {
    if x.len() < 2 {
        return [0.0; 3];
    }
    let a = [alphas[0], alphas[1], alphas[2], alphas[2]];
    let c = a.map(|v| 1.0 - v);
    let mut f = [x[0]; 4];
    let mut s = [0.0; 4];
    for w in x.windows(2) {
        let (prev, cur) = (w[0], w[1]);
        for k in 0..4 {
            f[k] = a[k] * prev + c[k] * f[k];
            let e = cur - f[k];
            s[k] += e * e;
        }
    }
    // keep the fourth lane (it would otherwise be dropped, breaking the uniform layout)
    std::hint::black_box(s[3]);
    [s[0], s[1], s[2]]
}

/// Golden-section bracket: `[a, b]`, inner points `c < d` and the SSE at them.
#[derive(Clone, Copy)]
struct Bracket {
    a: f64,
    b: f64,
    c: f64,
    d: f64,
    fc: f64,
    fd: f64,
}

/// Which way a step goes: keep `[a, d]` (`fc < fd`) or `[c, b]` (`fc > fd`).
#[derive(Clone, Copy, PartialEq)]
enum Step {
    Left,
    Right,
}

impl Bracket {
    /// The step the comparison of `fc` and `fd` asks for; None on a tie (the search stops).
    fn step(&self) -> Option<Step> {
        if self.fc < self.fd {
            Some(Step::Left)
        } else if self.fc > self.fd {
            Some(Step::Right)
        } else {
            None
        }
    }

    /// The bracket after `step`, with its new inner point (SSE still unknown, set to NaN)
    /// returned alongside.
    fn advance(mut self, step: Step, phi: f64) -> (Bracket, f64) {
        match step {
            Step::Left => {
                self.b = self.d;
                self.d = self.c;
                self.fd = self.fc;
                self.c = self.b - (self.b - self.a) / phi;
                self.fc = f64::NAN;
                (self, self.c)
            }
            Step::Right => {
                self.a = self.c;
                self.c = self.d;
                self.fc = self.fd;
                self.d = self.a + (self.b - self.a) / phi;
                self.fd = f64::NAN;
                (self, self.d)
            }
        }
    }

    /// Record the SSE of the inner point the last `step` created.
    fn set(&mut self, step: Step, f: f64) {
        match step {
            Step::Left => self.fc = f,
            Step::Right => self.fd = f,
        }
    }
}

/// The `alpha` in `[lo, hi]` minimising [`sse`], as statsforecast's `golden_section_ses`.
///
/// Two steps per pass over the data: the next step's point is known, and the point of the
/// step after it is one of two candidates (whichever way the next comparison goes), so all
/// three SSEs are computed together ([`sse3`]) and the unused candidate dropped. The
/// sequence of brackets is exactly the one-step-at-a-time search's.
pub fn golden_section(x: &[f64], (lo, hi): (f64, f64)) -> f64 {
    let phi = (5f64.sqrt() + 1.0) / 2.0;
    let (a, b) = (lo, hi);
    let c = b - (b - a) / phi;
    let d = a + (b - a) / phi;
    let mut br = Bracket {
        a,
        b,
        c,
        d,
        fc: sse(c, x),
        fd: sse(d, x),
    };
    while (br.b - br.a).abs() > TOL {
        let Some(s1) = br.step() else { break };
        let (next, p1) = br.advance(s1, phi);
        if (next.b - next.a).abs() <= TOL {
            // the search ends after this step; the SSE at p1 would change nothing
            br = next;
            break;
        }
        // the step after goes left or right depending on f(p1): its point is one of these
        let (_, q_left) = next.advance(Step::Left, phi);
        let (_, q_right) = next.advance(Step::Right, phi);
        let [f1, f_left, f_right] = sse3([p1, q_left, q_right], x);
        br = next;
        br.set(s1, f1);
        let Some(s2) = br.step() else { break };
        let (after, _) = br.advance(s2, phi);
        br = after;
        br.set(s2, if s2 == Step::Left { f_left } else { f_right });
    }
    (br.a + br.b) / 2.0
}

/// statsforecast's `SimpleExponentialSmoothingOptimized` (alias `SESOpt`): alpha searched
/// in [0.01, 0.99]; flat forecast; sigma = RMS of the one-step errors at that alpha.
pub fn fit_optimized(y: &[f64]) -> Fitted {
    filter(y, golden_section(y, SES_OPT_BOUNDS), FittedOut::none())
}

/// The SES filter at a frozen `alpha` over `y` (non-empty), writing the fitted values
/// (NaN at t = 0, then statsforecast's in-sample forecasts) into `out`.
pub fn filter(y: &[f64], alpha: f64, mut out: FittedOut<'_>) -> Fitted {
    let (mean, fitted) = forecast_and_fitted(alpha, y);
    out.set(0, f64::NAN);
    for (t, f) in fitted.iter().enumerate() {
        out.set(t + 1, *f);
    }
    Fitted::constant(mean, rms(y[1..].iter().zip(&fitted).map(|(v, f)| v - f)))
        .with_frozen(Frozen::Ses { alpha })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recursion_matches_statsforecast() {
        // statsforecast: ses_sse(0.2, [3, 0, 5, 2, 7, 1]) = 41.48998144,
        // ses_forecast(.., 0.2) = 3.07104.
        let x = [3.0, 0.0, 5.0, 2.0, 7.0, 1.0];
        assert!((sse(0.2, &x) - 41.48998144).abs() < 1e-9);
        let (f, fitted) = forecast_and_fitted(0.2, &x);
        assert!((f - 3.07104).abs() < 1e-12);
        assert_eq!(f, forecast(0.2, &x));
        // statsforecast's fitted values: [nan, 3, 2.4, 2.92, 2.736, 3.5888]
        let want = [3.0, 2.4, 2.92, 2.736, 3.5888];
        assert!(fitted.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-12));
        let ss: f64 = x[1..]
            .iter()
            .zip(&fitted)
            .map(|(v, f)| (v - f) * (v - f))
            .sum();
        assert!((ss - sse(0.2, &x)).abs() < 1e-12);
        assert_eq!(forecast(0.7, &[4.0]), 4.0);
    }

    #[test]
    fn golden_section_matches_statsforecast() {
        // Values printed by statsforecast 2.1.1's golden_section_ses.
        let x = [3.0, 0.0, 5.0, 2.0, 7.0, 1.0];
        assert_eq!(golden_section(&x, (0.1, 0.3)), 0.10000000000032039);
        let trend: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(golden_section(&trend, (0.1, 0.3)), 0.29999999999967963);
        assert_eq!(golden_section(&trend, (0.01, 0.99)), 0.9899999999996294);
        let alt = [10.0, 1.0, 10.0, 1.0, 10.0, 1.0, 10.0, 1.0];
        assert_eq!(golden_section(&alt, (0.1, 0.3)), 0.22589087955725445);
        // Ties (constant SSE) stop at once: the midpoint.
        assert_eq!(golden_section(&[5.0], (0.1, 0.3)), 0.2);
        assert_eq!(golden_section(&[1.0, 2.0], (0.01, 0.99)), 0.5);
        assert_eq!(golden_section(&[5.0; 5], (0.1, 0.7)), 0.39999999999999997);
    }

    /// The plain one-step-at-a-time search (statsforecast's loop), as the reference.
    fn golden_section_plain(x: &[f64], (lo, hi): (f64, f64)) -> f64 {
        let phi = (5f64.sqrt() + 1.0) / 2.0;
        let (mut a, mut b) = (lo, hi);
        let mut c = b - (b - a) / phi;
        let mut d = a + (b - a) / phi;
        let (mut fc, mut fd) = (sse(c, x), sse(d, x));
        while (b - a).abs() > TOL {
            if fc < fd {
                b = d;
                d = c;
                fd = fc;
                c = b - (b - a) / phi;
                fc = sse(c, x);
            } else if fc > fd {
                a = c;
                c = d;
                fc = fd;
                d = a + (b - a) / phi;
                fd = sse(d, x);
            } else {
                break;
            }
        }
        (a + b) / 2.0
    }

    #[test]
    fn two_steps_per_pass_equal_one_step_search() {
        // pseudo-random intermittent and smooth series, lengths 0..200, both bound pairs
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for len in 0..200 {
            let smooth: Vec<f64> = (0..len)
                .map(|i| (i as f64 * 0.3).sin() * 5.0 + next())
                .collect();
            let sparse: Vec<f64> = (0..len)
                .map(|_| {
                    if next() < 0.8 {
                        0.0
                    } else {
                        (next() * 9.0).floor()
                    }
                })
                .collect();
            for x in [&smooth, &sparse] {
                for bounds in [SES_OPT_BOUNDS, INTERMITTENT_BOUNDS] {
                    let (fast, plain) =
                        (golden_section(x, bounds), golden_section_plain(x, bounds));
                    assert_eq!(fast.to_bits(), plain.to_bits(), "len {len} {bounds:?}");
                }
            }
        }
        let x = [3.0, 0.0, 5.0, 2.0, 7.0, 1.0];
        assert_eq!(
            sse3([0.2, 0.5, 0.9], &x),
            [sse(0.2, &x), sse(0.5, &x), sse(0.9, &x)]
        );
    }

    #[test]
    fn optimized_model() {
        let f = fit_optimized(&[3.0, 3.0, 3.0]);
        assert_eq!(f.sigma, 0.0);
        let f = fit_optimized(&[7.0]);
        assert_eq!(f.sigma, 0.0);
    }
}
