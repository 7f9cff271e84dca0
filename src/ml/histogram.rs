//! Feature binning for the histogram tree learners (gradient boosting and the forest):
//! each feature's values map to at most `max_bins` ordered bins (one per distinct value when
//! there are few, quantiles of a deterministic subsample otherwise). Bin 0 holds NaN (a
//! lag before the history starts, a missing price), so every split also decides where
//! missing values go.

use crate::parallel;
use rayon::prelude::*;

/// Rows sampled to find the bin bounds of a feature.
const BIN_SAMPLE: usize = 200_000;

/// Upper bounds of one feature's value bins: value `v` falls in bin `1 + j` for the first
/// `j` with `v <= upper[j]` (the last bound is +inf); NaN falls in bin 0.
#[derive(Debug, Clone, PartialEq)]
pub struct BinMapper {
    /// Bin upper bounds, increasing, the last one +inf.
    pub upper: Vec<f64>,
}

impl BinMapper {
    /// Bounds for `values` (a strided column: `values[r * stride]`, `n` rows).
    pub fn fit(values: &[f64], stride: usize, n: usize, max_bins: usize) -> Self {
        let step = n.div_ceil(BIN_SAMPLE).max(1);
        let mut v: Vec<f64> = (0..n)
            .step_by(step)
            .map(|r| values[r * stride])
            .filter(|x| !x.is_nan())
            .collect();
        v.sort_unstable_by(f64::total_cmp);
        let mut distinct: Vec<(f64, usize)> = Vec::new();
        for x in v.iter().copied() {
            match distinct.last_mut() {
                Some((last, c)) if *last == x => *c += 1,
                _ => distinct.push((x, 1)),
            }
        }
        let max_bins = max_bins.clamp(2, 255);
        let mut upper = Vec::new();
        if distinct.len() <= max_bins {
            for w in distinct.windows(2) {
                upper.push(midpoint(w[0].0, w[1].0));
            }
        } else {
            // Equal-frequency bounds over the sample, never splitting a distinct value.
            let per_bin = v.len() as f64 / max_bins as f64;
            let mut acc = 0usize;
            let mut next = per_bin;
            for w in distinct.windows(2) {
                acc += w[0].1;
                if acc as f64 >= next {
                    upper.push(midpoint(w[0].0, w[1].0));
                    while next <= acc as f64 {
                        next += per_bin;
                    }
                }
            }
        }
        upper.push(f64::INFINITY);
        BinMapper { upper }
    }

    /// Number of bins including the NaN bin.
    pub fn n_bins(&self) -> usize {
        self.upper.len() + 1
    }

    /// The bin of `v`.
    pub fn bin(&self, v: f64) -> u8 {
        if v.is_nan() {
            0
        } else {
            (1 + self.upper.partition_point(|&u| u < v)) as u8
        }
    }

    /// The largest value of bin `b` (>= 1): values `<= threshold(b)` are in bins `1..=b`.
    pub fn threshold(&self, b: usize) -> f64 {
        self.upper[b - 1]
    }
}

fn midpoint(a: f64, b: f64) -> f64 {
    let m = a + (b - a) / 2.0;
    if m >= b {
        a
    } else {
        m
    }
}

/// A binned design matrix, column-major (`cols[f][r]`).
#[derive(Debug, Clone)]
pub struct Binned {
    /// One mapper per feature.
    pub mappers: Vec<BinMapper>,
    /// Bins per feature, per row (column-major: partitioning and binned prediction).
    pub cols: Vec<Vec<u8>>,
    /// The same bins row-major (`rows[r * n_features + f]`): histograms read one row's
    /// bins from one cache line.
    pub rows: Vec<u8>,
    /// Offset of each feature's first bin in a flat histogram; the last entry is the total.
    pub offsets: Vec<usize>,
}

impl Binned {
    /// Bin a row-major `n × f` matrix (parallel across features).
    pub fn new(x: &[f64], n: usize, f: usize, max_bins: usize) -> Self {
        let (mappers, cols): (Vec<BinMapper>, Vec<Vec<u8>>) = parallel::install(|| {
            (0..f)
                .into_par_iter()
                .map(|j| {
                    let col = &x[j..];
                    let m = BinMapper::fit(col, f, n, max_bins);
                    let bins = (0..n).map(|r| m.bin(col[r * f])).collect();
                    (m, bins)
                })
                .unzip()
        });
        let mut offsets = vec![0];
        for m in &mappers {
            offsets.push(offsets.last().copied().unwrap_or(0) + m.n_bins());
        }
        let mut rows = vec![0u8; n * f];
        parallel::install(|| {
            rows.par_chunks_mut(f.max(1))
                .enumerate()
                .for_each(|(r, row)| {
                    for (j, v) in row.iter_mut().enumerate() {
                        *v = cols[j][r];
                    }
                });
        });
        Binned {
            mappers,
            cols,
            rows,
            offsets,
        }
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.cols.first().map_or(0, Vec::len)
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.cols.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_distinct_values_get_their_own_bins() {
        let x = [3.0, 1.0, f64::NAN, 2.0, 1.0, 3.0];
        let m = BinMapper::fit(&x, 1, x.len(), 255);
        assert_eq!(m.n_bins(), 4);
        let b: Vec<u8> = x.iter().map(|&v| m.bin(v)).collect();
        assert_eq!(b, vec![3, 1, 0, 2, 1, 3]);
        assert!(m.threshold(1) >= 1.0 && m.threshold(1) < 2.0);
        assert_eq!(m.bin(100.0), 3);
    }

    #[test]
    fn many_values_are_quantile_binned() {
        let x: Vec<f64> = (0..10_000).map(|i| (i % 1000) as f64).collect();
        let m = BinMapper::fit(&x, 1, x.len(), 16);
        assert!(m.n_bins() <= 17);
        let b = Binned::new(&x, x.len(), 1, 16);
        // bins are monotone in the value
        let mut pairs: Vec<(f64, u8)> = x.iter().copied().zip(b.cols[0].iter().copied()).collect();
        pairs.sort_by(|a, c| a.0.total_cmp(&c.0));
        assert!(pairs.windows(2).all(|w| w[0].1 <= w[1].1));
    }
}
