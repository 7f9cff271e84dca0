//! A panel of series stored back to back: `values[offsets[i]..offsets[i + 1]]` is series `i`.
//! This is the layout the Python layer builds from a long DataFrame sorted by (unique_id, ds).

use crate::error::{Error, Result};

/// A borrowed, validated panel of series.
#[derive(Debug, Clone, Copy)]
pub struct Panel<'a> {
    values: &'a [f64],
    offsets: &'a [usize],
}

impl<'a> Panel<'a> {
    /// Wrap `values` and `offsets` after checking the offsets are a valid partition
    /// (start at 0, non-decreasing, end at `values.len()`).
    pub fn new(values: &'a [f64], offsets: &'a [usize]) -> Result<Self> {
        if offsets.is_empty() {
            return Err(Error::Shape(
                "offsets must hold at least one element (0)".into(),
            ));
        }
        if offsets[0] != 0 {
            return Err(Error::Shape(format!(
                "offsets must start at 0, got {}",
                offsets[0]
            )));
        }
        if let Some(i) = offsets.windows(2).position(|w| w[1] < w[0]) {
            return Err(Error::Shape(format!(
                "offsets must be non-decreasing (offsets[{}] = {} > offsets[{}] = {})",
                i,
                offsets[i],
                i + 1,
                offsets[i + 1]
            )));
        }
        let last = offsets[offsets.len() - 1];
        if last != values.len() {
            return Err(Error::Shape(format!(
                "offsets end at {last} but there are {} values",
                values.len()
            )));
        }
        Ok(Panel { values, offsets })
    }

    /// Number of series.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// True when the panel holds no series.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Start and end (exclusive) of series `i` in the values.
    pub fn bounds(&self, i: usize) -> (usize, usize) {
        (self.offsets[i], self.offsets[i + 1])
    }

    /// Total number of values over all series.
    pub fn series_len_total(&self) -> usize {
        self.values.len()
    }

    /// Series `i`.
    pub fn series(&self, i: usize) -> &'a [f64] {
        &self.values[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Check every value is finite; the error names the first bad series.
    pub fn require_finite(&self) -> Result<()> {
        for i in 0..self.len() {
            if let Some(pos) = self.series(i).iter().position(|v| !v.is_finite()) {
                return Err(Error::InvalidSeries {
                    series: i,
                    reason: format!("value at position {pos} is not finite"),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_series() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        let o = [0, 2, 2, 5];
        let p = Panel::new(&v, &o).unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(p.series(0), &[1.0, 2.0]);
        assert!(p.series(1).is_empty());
        assert_eq!(p.series(2), &[3.0, 4.0, 5.0]);
    }

    #[test]
    fn rejects_bad_offsets() {
        let v = [1.0, 2.0];
        assert!(Panel::new(&v, &[]).is_err());
        assert!(Panel::new(&v, &[1, 2]).is_err());
        assert!(Panel::new(&v, &[0, 2, 1]).is_err());
        assert!(Panel::new(&v, &[0, 1]).is_err());
    }

    #[test]
    fn finds_nan() {
        let v = [1.0, f64::NAN];
        let p = Panel::new(&v, &[0, 1, 2]).unwrap();
        assert_eq!(
            p.require_finite().unwrap_err(),
            Error::InvalidSeries {
                series: 1,
                reason: "value at position 0 is not finite".into()
            }
        );
    }
}
