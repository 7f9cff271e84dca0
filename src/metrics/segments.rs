//! Windows into a value array, one per evaluated group. Unlike a [`Panel`], windows may
//! overlap: in cross-validation every (series, cutoff) group reads a prefix of the same
//! training series, so the training history is stored once and windowed per group.

use crate::error::{Error, Result};
use crate::panel::Panel;

/// Borrowed values plus one `[start, end)` window per group.
#[derive(Debug, Clone)]
pub struct Segments<'a> {
    values: &'a [f64],
    bounds: Vec<(usize, usize)>,
}

impl<'a> Segments<'a> {
    /// Windows `values[starts[i]..ends[i]]`, checked to lie inside `values`.
    pub fn new(values: &'a [f64], starts: &[usize], ends: &[usize]) -> Result<Self> {
        if starts.len() != ends.len() {
            return Err(Error::Shape(format!(
                "{} window starts but {} window ends",
                starts.len(),
                ends.len()
            )));
        }
        let mut bounds = Vec::with_capacity(starts.len());
        for (i, (&s, &e)) in starts.iter().zip(ends).enumerate() {
            if s > e || e > values.len() {
                return Err(Error::Shape(format!(
                    "window {i} = [{s}, {e}) is not inside the {} values",
                    values.len()
                )));
            }
            bounds.push((s, e));
        }
        Ok(Segments { values, bounds })
    }

    /// One window per series of a panel laid out as `values` + `offsets` (as [`Panel`]).
    pub fn from_offsets(values: &'a [f64], offsets: &[usize]) -> Result<Self> {
        Panel::new(values, offsets)?;
        let bounds = offsets.windows(2).map(|w| (w[0], w[1])).collect();
        Ok(Segments { values, bounds })
    }

    /// Number of windows.
    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    /// True when there is no window.
    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    /// Window `i`.
    pub fn get(&self, i: usize) -> &'a [f64] {
        let (s, e) = self.bounds[i];
        &self.values[s..e]
    }

    /// `(start, end)` of window `i`.
    pub fn bounds(&self, i: usize) -> (usize, usize) {
        self.bounds[i]
    }
}

/// Training windows for evaluated groups: group `g` reads series `series[g]` of the
/// training panel (`offsets`, with time stamps `times` sorted within each series), cut
/// after the last time stamp `<= cutoffs[g]` when cutoffs are given (cross-validation:
/// the model was trained on data up to its cutoff), else the whole series.
///
/// Returns `(starts, ends)`, one entry per group.
pub fn train_windows(
    times: &[i64],
    offsets: &[usize],
    series: &[usize],
    cutoffs: Option<&[i64]>,
) -> Result<(Vec<usize>, Vec<usize>)> {
    let n_series = offsets.len().saturating_sub(1);
    if offsets.last().copied().unwrap_or(0) != times.len() {
        return Err(Error::Shape(format!(
            "training offsets end at {:?} but there are {} time stamps",
            offsets.last(),
            times.len()
        )));
    }
    if let Some(c) = cutoffs {
        if c.len() != series.len() {
            return Err(Error::Shape(format!(
                "{} cutoffs for {} groups",
                c.len(),
                series.len()
            )));
        }
    }
    let mut starts = Vec::with_capacity(series.len());
    let mut ends = Vec::with_capacity(series.len());
    for (g, &k) in series.iter().enumerate() {
        if k >= n_series {
            return Err(Error::Shape(format!(
                "group {g} refers to training series {k}, but there are {n_series}"
            )));
        }
        let (s, e) = (offsets[k], offsets[k + 1]);
        let end = match cutoffs {
            Some(c) => s + times[s..e].partition_point(|&t| t <= c[g]),
            None => e,
        };
        starts.push(s);
        ends.push(end);
    }
    Ok((starts, ends))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_overlap() {
        let v = [1.0, 2.0, 3.0, 4.0];
        let s = Segments::new(&v, &[0, 0, 1], &[2, 4, 1]).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s.get(0), &[1.0, 2.0]);
        assert_eq!(s.get(1), &v[..]);
        assert!(s.get(2).is_empty());
        assert!(Segments::new(&v, &[0], &[5]).is_err());
        assert!(Segments::new(&v, &[2], &[1]).is_err());
        assert!(Segments::new(&v, &[0, 1], &[1]).is_err());
        let p = Segments::from_offsets(&v, &[0, 1, 4]).unwrap();
        assert_eq!(p.get(1), &[2.0, 3.0, 4.0]);
        assert_eq!(p.bounds(1), (1, 4));
    }

    #[test]
    fn prefixes_up_to_cutoff() {
        let t = [1, 2, 3, 10, 11];
        let offsets = [0, 3, 5];
        let (s, e) = train_windows(&t, &offsets, &[0, 0, 1], Some(&[2, 3, 10])).unwrap();
        assert_eq!(s, vec![0, 0, 3]);
        assert_eq!(e, vec![2, 3, 4]);
        let (s, e) = train_windows(&t, &offsets, &[1], None).unwrap();
        assert_eq!((s, e), (vec![3], vec![5]));
        assert!(train_windows(&t, &offsets, &[2], None).is_err());
        assert!(train_windows(&t, &offsets, &[0], Some(&[])).is_err());
    }
}
