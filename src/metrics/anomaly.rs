//! Unusual sales days from robust residuals around a seasonal baseline.
//!
//! Baseline of one series with season m and window w (odd):
//! * level_t = median of y over the centred window of w periods (truncated at the ends);
//! * s_p = median over the periods of phase p (t mod m) of y_t − level_t, when m ≥ 2;
//! * baseline_t = level_t + s_{t mod m}; residual r_t = y_t − baseline_t.
//!
//! Scores: robust z = (r − median r) / (1.4826 · MAD r) (Iglewicz & Hoaglin's modified
//! z-score); when MAD = 0 (most residuals equal, e.g. sparse sales) the scale falls back to
//! 1.2533 · mean |r − median r| (the same fallback as IBM's modified z), and to no score
//! (0) when that is 0 too. IQR scores express the distance outside Tukey's fences in IQRs:
//! (r − Q3)/IQR above, (r − Q1)/IQR below, 0 inside.

/// Median of a slice (sorts a copy; NaN when empty).
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    median_in_place(&mut v)
}

fn median_in_place(v: &mut [f64]) -> f64 {
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// Linear-interpolation quantile (numpy's default) of a sorted slice.
fn quantile_sorted(v: &[f64], q: f64) -> f64 {
    let pos = q * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

/// The seasonal baseline of `y` (see the module docs).
pub fn baseline(y: &[f64], m: usize, window: usize) -> Vec<f64> {
    let n = y.len();
    let half = window / 2;
    let mut buf = Vec::with_capacity(window);
    let level: Vec<f64> = (0..n)
        .map(|t| {
            buf.clear();
            buf.extend_from_slice(&y[t.saturating_sub(half)..(t + half + 1).min(n)]);
            median_in_place(&mut buf)
        })
        .collect();
    if m < 2 {
        return level;
    }
    let season: Vec<f64> = (0..m)
        .map(|p| {
            let dev: Vec<f64> = (p..n).step_by(m).map(|t| y[t] - level[t]).collect();
            if dev.is_empty() {
                0.0
            } else {
                median(&dev)
            }
        })
        .collect();
    (0..n).map(|t| level[t] + season[t % m]).collect()
}

/// How residuals become scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Modified z-score (median / MAD).
    RobustZ,
    /// Distance outside Tukey's fences, in IQRs.
    Iqr,
}

/// Scores of `residuals` (one series).
pub fn scores(residuals: &[f64], method: Method) -> Vec<f64> {
    let mut sorted = residuals.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return vec![];
    }
    match method {
        Method::RobustZ => {
            let med = median(&sorted);
            let abs: Vec<f64> = residuals.iter().map(|r| (r - med).abs()).collect();
            let mad = median(&abs);
            let scale = if mad > 0.0 {
                1.4826 * mad
            } else {
                1.253314 * abs.iter().sum::<f64>() / abs.len() as f64
            };
            residuals
                .iter()
                .map(|r| if scale > 0.0 { (r - med) / scale } else { 0.0 })
                .collect()
        }
        Method::Iqr => {
            let q1 = quantile_sorted(&sorted, 0.25);
            let q3 = quantile_sorted(&sorted, 0.75);
            let iqr = q3 - q1;
            residuals
                .iter()
                .map(|&r| {
                    if iqr <= 0.0 {
                        0.0
                    } else if r > q3 {
                        (r - q3) / iqr
                    } else if r < q1 {
                        (r - q1) / iqr
                    } else {
                        0.0
                    }
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_quantiles() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&[]).is_nan());
        assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0, 4.0], 0.25), 1.75);
    }

    #[test]
    fn baseline_follows_the_season_and_spikes_stand_out() {
        let week = [10.0, 10.0, 10.0, 10.0, 20.0, 30.0, 0.0];
        let mut y: Vec<f64> = (0..70).map(|t| week[t % 7]).collect();
        y[30] += 40.0; // a spike on a weekday
        let b = baseline(&y, 7, 29);
        assert!((b[31] - y[31]).abs() < 1e-9 && (b[33] - y[33]).abs() < 1e-9);
        let r: Vec<f64> = y.iter().zip(&b).map(|(a, c)| a - c).collect();
        let z = scores(&r, Method::RobustZ);
        let top = (0..70).max_by(|&i, &j| z[i].total_cmp(&z[j])).unwrap();
        assert_eq!(top, 30);
        // every other residual is 0: MAD = 0, mean-AD fallback gives a finite score
        assert!(z[30].is_finite() && z[30] > 3.5);
        let q = scores(&r, Method::Iqr);
        assert_eq!(q[0], 0.0);
        assert_eq!(scores(&[1.0, 1.0], Method::RobustZ), vec![0.0, 0.0]);
    }
}
