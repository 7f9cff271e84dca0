//! Fine (16-bit) binning for the random forest: every distinct value of a feature gets a
//! bin of its own when there are at most `max_bins` of them (up to 65,535, so the forest's
//! splits are scikit-learn's exact CART splits for features such as rolling means with
//! thousands of distinct values); otherwise values are grouped into bins of about equal
//! count (`histogram.rs`'s midpoint rule, over all rows rather than a subsample). Bin 0
//! holds NaN. Stored row-major, so one row's bins are one read.

use super::histogram::{greedy_bounds, midpoint};
use crate::parallel;
use rayon::prelude::*;

/// Largest number of non-missing bins per feature.
pub const MAX_FINE_BINS: usize = u16::MAX as usize;

/// A finely binned design matrix.
#[derive(Debug, Clone)]
pub struct FineBinned {
    /// Number of features.
    pub n_features: usize,
    /// Bins row-major: `bins[r * n_features + f]` (0: NaN).
    pub bins: Vec<u16>,
    /// Per feature, the smallest and largest value of every bin, indexed by bin (entry 0,
    /// the NaN bin, is `[NaN, NaN]`).
    pub ranges: Vec<Vec<[f64; 2]>>,
}

impl FineBinned {
    /// Bin a row-major `n × f` matrix into at most `max_bins` (clamped to 2..=65,535)
    /// non-missing bins per feature (parallel across features).
    pub fn new(x: &[f64], n: usize, f: usize, max_bins: usize) -> Self {
        let max_bins = max_bins.clamp(2, MAX_FINE_BINS);
        let per_feature: Vec<(Vec<[f64; 2]>, Vec<u16>)> = parallel::install(|| {
            (0..f)
                .into_par_iter()
                .map(|j| bin_column(&x[j..], f, n, max_bins))
                .collect()
        });
        let mut bins = vec![0u16; n * f];
        parallel::install(|| {
            bins.par_chunks_mut(f.max(1))
                .enumerate()
                .for_each(|(r, row)| {
                    for (v, (_, col)) in row.iter_mut().zip(&per_feature) {
                        *v = col[r];
                    }
                });
        });
        FineBinned {
            n_features: f,
            bins,
            ranges: per_feature.into_iter().map(|(r, _)| r).collect(),
        }
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.bins.len().checked_div(self.n_features).unwrap_or(0)
    }

    /// Number of bins of feature `f`, the NaN bin included.
    pub fn n_bins(&self, f: usize) -> usize {
        self.ranges[f].len()
    }

    /// The bins of row `r`.
    pub fn row(&self, r: usize) -> &[u16] {
        &self.bins[r * self.n_features..(r + 1) * self.n_features]
    }

    /// The threshold between bin `b` and a higher non-empty bin `next` (both >= 1) of
    /// feature `f`: halfway between the largest value of `b` and the smallest of `next`
    /// (where an exact CART split of a node holding values in those two bins, and none
    /// between, puts it). `next == 0` (only missing values above): +inf.
    pub fn threshold_between(&self, f: usize, b: usize, next: usize) -> f64 {
        if next == 0 {
            return f64::INFINITY;
        }
        midpoint(self.ranges[f][b][1], self.ranges[f][next][0])
    }
}

/// Bin ranges and per-row bins of one strided column.
fn bin_column(col: &[f64], stride: usize, n: usize, max_bins: usize) -> (Vec<[f64; 2]>, Vec<u16>) {
    distinct_bins(col, stride, n, max_bins).unwrap_or_else(|| sorted_bins(col, stride, n, max_bins))
}

/// Bins from the sorted values (any number of distinct values).
fn sorted_bins(col: &[f64], stride: usize, n: usize, max_bins: usize) -> (Vec<[f64; 2]>, Vec<u16>) {
    let mut v: Vec<f64> = (0..n)
        .map(|r| col[r * stride])
        .filter(|x| !x.is_nan())
        .collect();
    v.sort_unstable_by(f64::total_cmp);
    let mut distinct: Vec<(f64, usize)> = Vec::new();
    for x in v {
        match distinct.last_mut() {
            Some((last, c)) if *last == x => *c += 1,
            _ => distinct.push((x, 1)),
        }
    }
    let upper = greedy_bounds(&distinct, max_bins, 1);
    let mut ranges = vec![[f64::NAN, f64::NAN]; upper.len() + 1];
    for r in ranges.iter_mut().skip(1) {
        *r = [f64::INFINITY, f64::NEG_INFINITY];
    }
    let bins = (0..n)
        .map(|r| {
            let x = col[r * stride];
            if x.is_nan() {
                return 0;
            }
            let b = 1 + upper.partition_point(|&u| u < x);
            let e = &mut ranges[b];
            e[0] = e[0].min(x);
            e[1] = e[1].max(x);
            b as u16
        })
        .collect();
    (ranges, bins)
}

/// One bin per distinct value when there are at most `max_bins` of them (`None`: more),
/// found with a hash table of the values' bits (two passes over the column, no sort of
/// the rows).
fn distinct_bins(
    col: &[f64],
    stride: usize,
    n: usize,
    max_bins: usize,
) -> Option<(Vec<[f64; 2]>, Vec<u16>)> {
    const EMPTY: u64 = u64::MAX; // a NaN's bits: never a key
    let cap = (2 * max_bins + 2).next_power_of_two().max(64);
    let shift = 64 - cap.trailing_zeros();
    let mut keys = vec![EMPTY; cap];
    let mut slot_bin = vec![0u16; cap];
    let key = |x: f64| if x == 0.0 { 0 } else { x.to_bits() };
    let slot = |keys: &[u64], k: u64| {
        let mut i = (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize;
        while keys[i] != k && keys[i] != EMPTY {
            i = (i + 1) & (cap - 1);
        }
        i
    };
    let mut count = 0;
    for r in 0..n {
        let x = col[r * stride];
        if x.is_nan() {
            continue;
        }
        let k = key(x);
        let i = slot(&keys, k);
        if keys[i] == EMPTY {
            count += 1;
            if count > max_bins {
                return None;
            }
            keys[i] = k;
        }
    }
    let mut distinct: Vec<f64> = keys
        .iter()
        .filter(|&&k| k != EMPTY)
        .map(|&k| f64::from_bits(k))
        .collect();
    distinct.sort_unstable_by(f64::total_cmp);
    let mut ranges = Vec::with_capacity(distinct.len() + 1);
    ranges.push([f64::NAN, f64::NAN]);
    for (b, &v) in distinct.iter().enumerate() {
        slot_bin[slot(&keys, key(v))] = b as u16 + 1;
        ranges.push([v, v]);
    }
    let bins = (0..n)
        .map(|r| {
            let x = col[r * stride];
            if x.is_nan() {
                0
            } else {
                slot_bin[slot(&keys, key(x))]
            }
        })
        .collect();
    Some((ranges, bins))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_distinct_value_gets_its_own_bin() {
        // 1000 distinct values (more than a byte's bins) and NaN, two columns
        let n = 3000;
        let x: Vec<f64> = (0..n)
            .flat_map(|i| {
                let a = if i % 11 == 0 {
                    f64::NAN
                } else {
                    (i % 1000) as f64 / 7.0
                };
                [a, (i % 3) as f64]
            })
            .collect();
        let b = FineBinned::new(&x, n, 2, MAX_FINE_BINS);
        assert_eq!(b.n_rows(), n);
        assert_eq!(b.n_bins(0), 1001);
        assert_eq!(b.n_bins(1), 4);
        for r in 0..n {
            let (v, bin) = (x[2 * r], b.row(r)[0] as usize);
            if v.is_nan() {
                assert_eq!(bin, 0);
            } else {
                assert_eq!(b.ranges[0][bin], [v, v]);
            }
        }
        // thresholds sit halfway between the two bins' values
        assert_eq!(b.threshold_between(1, 1, 3), 1.0);
        assert_eq!(b.threshold_between(1, 2, 0), f64::INFINITY);
    }

    #[test]
    fn hashed_and_sorted_binning_agree() {
        // values with duplicates, -0.0 and NaN; the sorted path is forced by a bin limit
        // just below the number of distinct values, then compared with one bin per value
        let x: Vec<f64> = (0..4000)
            .map(|i| match i % 50 {
                0 => f64::NAN,
                1 => -0.0,
                _ => ((i * 37) % 301) as f64 / 7.0 - 10.0,
            })
            .collect();
        let (ranges, bins) = distinct_bins(&x, 1, x.len(), 1000).unwrap();
        assert_eq!(ranges.len(), 302);
        assert!(distinct_bins(&x, 1, x.len(), 300).is_none());
        let (r2, b2) = sorted_bins(&x, 1, x.len(), 1000);
        assert_eq!(b2, bins);
        assert_eq!(r2.len(), ranges.len());
        for (a, c) in ranges.iter().zip(&r2).skip(1) {
            assert_eq!(a, c);
        }
    }

    #[test]
    fn too_many_values_are_grouped_in_order() {
        let x: Vec<f64> = (0..5000).map(f64::from).collect();
        let b = FineBinned::new(&x, x.len(), 1, 100);
        assert!(b.n_bins(0) <= 101);
        let bins: Vec<u16> = (0..x.len()).map(|r| b.row(r)[0]).collect();
        assert!(bins.windows(2).all(|w| w[0] <= w[1]));
        // a threshold between two bins separates their values
        let t = b.threshold_between(0, 3, 4);
        assert!(b.ranges[0][3][1] <= t && t < b.ranges[0][4][0]);
    }
}
