//! Point-forecast errors over one evaluation window (`y` actuals, `f` forecasts, same
//! length, at least one value, all finite: the caller checks).
//!
//! * MAE  = mean |y − f|;  MSE = mean (y − f)²;  bias = mean (f − y)
//! * MAPE = 100 · mean_{t: y_t ≠ 0} |y_t − f_t| / |y_t|   (NaN when every y_t is 0)
//! * sMAPE = 200 · mean |y − f| / (|y| + |f|)  (M4; a term with y = f = 0 counts as 0)
//! * WAPE = Σ |y − f| / Σ |y|   (see [`ratio`] for a zero denominator)

/// `num / den` where a zero denominator gives NaN for a zero numerator (nothing to scale,
/// nothing wrong: undefined) and +∞ otherwise. Used by every scaled/relative metric.
pub fn ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 {
        if num == 0.0 {
            f64::NAN
        } else {
            f64::INFINITY
        }
    } else {
        num / den
    }
}

fn mean_of(y: &[f64], f: &[f64], term: impl Fn(f64, f64) -> f64) -> f64 {
    y.iter().zip(f).map(|(&a, &b)| term(a, b)).sum::<f64>() / y.len() as f64
}

/// Mean absolute error.
pub fn mae(y: &[f64], f: &[f64]) -> f64 {
    mean_of(y, f, |a, b| (a - b).abs())
}

/// Mean squared error.
pub fn mse(y: &[f64], f: &[f64]) -> f64 {
    mean_of(y, f, |a, b| (a - b) * (a - b))
}

/// Mean signed error f − y (positive: over-forecast).
pub fn bias(y: &[f64], f: &[f64]) -> f64 {
    mean_of(y, f, |a, b| b - a)
}

/// Mean absolute percentage error in percent, over the periods with non-zero actuals.
pub fn mape(y: &[f64], f: &[f64]) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for (&a, &b) in y.iter().zip(f) {
        if a != 0.0 {
            sum += ((a - b) / a).abs();
            n += 1;
        }
    }
    if n == 0 {
        f64::NAN
    } else {
        100.0 * sum / n as f64
    }
}

/// Symmetric MAPE as in the M4 competition, in percent (0–200).
pub fn smape(y: &[f64], f: &[f64]) -> f64 {
    200.0
        * mean_of(y, f, |a, b| {
            let den = a.abs() + b.abs();
            if den == 0.0 {
                0.0
            } else {
                (a - b).abs() / den
            }
        })
}

/// Weighted absolute percentage error Σ|y − f| / Σ|y| (a fraction, not percent).
pub fn wape(y: &[f64], f: &[f64]) -> f64 {
    let num: f64 = y.iter().zip(f).map(|(a, b)| (a - b).abs()).sum();
    let den: f64 = y.iter().map(|a| a.abs()).sum();
    ratio(num, den)
}

#[cfg(test)]
mod tests {
    use super::*;

    const Y: [f64; 4] = [2.0, 0.0, 4.0, 5.0];
    const F: [f64; 4] = [1.0, 0.0, 6.0, 5.0];

    #[test]
    fn by_hand() {
        assert_eq!(mae(&Y, &F), 0.75);
        assert_eq!(mse(&Y, &F), 1.25);
        assert_eq!(bias(&Y, &F), 0.25);
        // (1/2 + 2/4 + 0) / 3 terms (y = 0 skipped)
        assert!((mape(&Y, &F) - 100.0 / 3.0).abs() < 1e-12);
        // 200/4 · (1/3 + 0 + 2/10 + 0)
        assert!((smape(&Y, &F) - 50.0 * (1.0 / 3.0 + 0.2)).abs() < 1e-12);
        assert_eq!(wape(&Y, &F), 3.0 / 11.0);
    }

    #[test]
    fn zero_denominators() {
        assert!(mape(&[0.0, 0.0], &[1.0, 0.0]).is_nan());
        assert_eq!(smape(&[0.0], &[0.0]), 0.0);
        assert_eq!(smape(&[0.0], &[3.0]), 200.0);
        assert_eq!(wape(&[0.0], &[1.0]), f64::INFINITY);
        assert!(wape(&[0.0], &[0.0]).is_nan());
        assert_eq!(ratio(1.0, 2.0), 0.5);
    }
}
