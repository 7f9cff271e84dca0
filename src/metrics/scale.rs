//! In-sample scales of the seasonal naive forecast, the denominators of MASE, RMSSE and
//! the scaled pinball loss:
//!
//! * plain: mean_{t>m} |x_t − x_{t−m}|^p over the whole training series x (Hyndman &
//!   Koehler 2006; utilsforecast and sktime),
//! * M5: the same over the training series from its first non-zero value on (the M5
//!   competition guidelines: "the first non-zero demand observed for the series").
//!
//! p = 1 for MASE / SPL, p = 2 for RMSSE. A series with no more than m values in the
//! scaled range has no scale (NaN).

/// Which part of the training series the scale uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scale {
    /// The whole training series.
    Plain,
    /// From the first non-zero value on (M5).
    M5,
}

impl Scale {
    /// The part of `train` this scale uses.
    pub fn trim(self, train: &[f64]) -> &[f64] {
        match self {
            Scale::Plain => train,
            Scale::M5 => match train.iter().position(|&v| v != 0.0) {
                Some(p) => &train[p..],
                None => &[],
            },
        }
    }
}

/// Mean of |x_t − x_{t−m}| (or its square) over the part of `train` chosen by `scale`.
pub fn naive_scale(train: &[f64], m: usize, squared: bool, scale: Scale) -> f64 {
    let x = scale.trim(train);
    if m == 0 || x.len() <= m {
        return f64::NAN;
    }
    let sum: f64 = x
        .iter()
        .zip(&x[m..])
        .map(|(a, b)| {
            let d = b - a;
            if squared {
                d * d
            } else {
                d.abs()
            }
        })
        .sum();
    sum / (x.len() - m) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_m5() {
        let x = [0.0, 0.0, 2.0, 0.0, 3.0];
        // plain, m = 1: |0| + |2| + |-2| + |3| = 7 over 4
        assert_eq!(naive_scale(&x, 1, false, Scale::Plain), 7.0 / 4.0);
        // M5 drops the two leading zeros: |-2| + |3| over 2
        assert_eq!(naive_scale(&x, 1, false, Scale::M5), 2.5);
        assert_eq!(naive_scale(&x, 1, true, Scale::M5), 6.5);
        // m = 2 plain: |2-0| + |0-0| + |3-2| over 3
        assert_eq!(naive_scale(&x, 2, false, Scale::Plain), 1.0);
        assert!(naive_scale(&[0.0, 0.0], 1, false, Scale::M5).is_nan());
        assert!(naive_scale(&[1.0], 1, false, Scale::Plain).is_nan());
        assert!(naive_scale(&x, 0, false, Scale::Plain).is_nan());
    }
}
