//! Feature binning for gradient boosting: each feature's values map to at most `max_bins`
//! ordered bins (one per distinct value when there are few; otherwise frequent values
//! alone and the rest in bins of about equal count, over a deterministic subsample), with
//! LightGBM's semantics: zero alone in its own bin with bounds at ±1e-35 (any positive
//! value, however small, is "above zero": it matters for recursive forecasts, whose lags
//! are small positive predictions rather than zeros), negative and positive values sharing
//! the other bins in proportion to their counts, at least 3 sampled rows per bin. Bin 0
//! holds NaN (a lag before the history starts, a missing price), so every split also
//! decides where missing values go. (The forest bins exactly: `fine_bins.rs`.)

use crate::parallel;
use rayon::prelude::*;

/// Rows sampled to find the bin bounds of a feature.
const BIN_SAMPLE: usize = 200_000;

/// Values within this of zero are zero.
const ZERO: f64 = 1e-35;

/// Minimum sampled rows per bin (LightGBM's `min_data_in_bin`).
const MIN_DATA_IN_BIN: usize = 3;

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
        let neg_end = distinct.partition_point(|d| d.0 <= -ZERO);
        let pos_start = distinct.partition_point(|d| d.0 <= ZERO);
        let (neg, pos) = (&distinct[..neg_end], &distinct[pos_start..]);
        let count = |s: &[(f64, usize)]| s.iter().map(|d| d.1).sum::<usize>();
        let (n_neg, n_pos) = (count(neg), count(pos));
        let mut upper = Vec::new();
        if !neg.is_empty() {
            let share = n_neg as f64 / (n_neg + n_pos) as f64 * (max_bins - 1) as f64;
            upper = greedy_bounds(neg, (share as usize).max(1), MIN_DATA_IN_BIN);
            if let Some(last) = upper.last_mut() {
                *last = -ZERO;
            }
        }
        let right = (max_bins - 1).saturating_sub(upper.len());
        if !pos.is_empty() && right > 0 {
            upper.push(ZERO);
            upper.extend(greedy_bounds(pos, right, MIN_DATA_IN_BIN));
        } else {
            upper.push(f64::INFINITY);
        }
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

/// Upper bounds (the last one +inf) of at most `max_bins` bins over sorted distinct values
/// with their counts. Few distinct values: one bin each, except that a bin closes only
/// once it holds `min_data` rows. Many: values holding at least an average bin's share of
/// the rows get a bin of their own, and the others are cut into bins of about equal count
/// (the average recomputed over what is left after each bin), a bin closing early when a
/// big value follows it.
pub(super) fn greedy_bounds(
    distinct: &[(f64, usize)],
    max_bins: usize,
    min_data: usize,
) -> Vec<f64> {
    let mut upper = Vec::new();
    let k = distinct.len();
    if k <= max_bins {
        let mut acc = 0;
        for w in distinct.windows(2) {
            acc += w[0].1;
            if acc >= min_data {
                upper.push(midpoint(w[0].0, w[1].0));
                acc = 0;
            }
        }
    } else {
        let total: usize = distinct.iter().map(|d| d.1).sum();
        let max_bins = max_bins.min(total / min_data.max(1)).max(1);
        let even = total as f64 / max_bins as f64;
        let big: Vec<bool> = distinct.iter().map(|d| d.1 as f64 >= even).collect();
        let n_big = big.iter().filter(|&&b| b).count();
        let mut rest_bins = max_bins.saturating_sub(n_big).max(1);
        let mut rest_rows = total
            - distinct
                .iter()
                .filter(|d| d.1 as f64 >= even)
                .map(|d| d.1)
                .sum::<usize>();
        let mut mean = rest_rows as f64 / rest_bins as f64;
        let mut acc = 0usize;
        for i in 0..k - 1 {
            if !big[i] {
                rest_rows -= distinct[i].1;
            }
            acc += distinct[i].1;
            if big[i] || acc as f64 >= mean || (big[i + 1] && acc as f64 >= (mean * 0.5).max(1.0)) {
                upper.push(midpoint(distinct[i].0, distinct[i + 1].0));
                if upper.len() + 1 >= max_bins {
                    break;
                }
                acc = 0;
                if !big[i] {
                    rest_bins = rest_bins.saturating_sub(1).max(1);
                    mean = rest_rows as f64 / rest_bins as f64;
                }
            }
        }
    }
    upper.push(f64::INFINITY);
    upper
}

pub(super) fn midpoint(a: f64, b: f64) -> f64 {
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
    /// Offset of each feature's first bin in a flat histogram; the last entry is the total.
    pub offsets: Vec<usize>,
    /// Every row's bins without its features' most frequent ones, for histograms that
    /// skip those (`None` when the cells do not fit 16 bits or the row index 32 bits).
    pub sparse: Option<SparseRows>,
}

/// A binned matrix row by row, keeping only the bins that are not their feature's most
/// frequent one (LightGBM's trick: a node's histogram cell of a feature's most frequent
/// bin is the node's total minus the feature's other cells, so its rows need not be
/// visited). On daily retail sales the lags are about 86 % zeros, so a row has about 4 of
/// its 9 bins here, and the skipped cells are the hot ones that made consecutive rows
/// wait on each other's histogram updates.
#[derive(Debug, Clone)]
pub struct SparseRows {
    /// Most frequent bin of every feature.
    pub common: Vec<u8>,
    /// Flat histogram cells (`offsets[f] + bin`) of row `r`: `cells[starts[r]..starts[r + 1]]`.
    pub cells: Vec<u16>,
    /// Start of every row's cells (`n + 1` entries).
    pub starts: Vec<u32>,
}

impl SparseRows {
    /// The rows of `cols` (column-major bins) without each feature's most frequent bin
    /// (`common`), cells numbered by `offsets`.
    fn new(cols: &[Vec<u8>], common: Vec<u8>, offsets: &[usize]) -> Option<Self> {
        let n = cols.first().map_or(0, Vec::len);
        if offsets.last().copied().unwrap_or(0) > usize::from(u16::MAX) {
            return None;
        }
        let len_of = |r: usize| cols.iter().zip(&common).filter(|(c, &m)| c[r] != m).count();
        const CHUNK: usize = 1 << 16;
        let chunk_totals: Vec<usize> = parallel::install(|| {
            (0..n.div_ceil(CHUNK))
                .into_par_iter()
                .map(|k| (k * CHUNK..((k + 1) * CHUNK).min(n)).map(len_of).sum())
                .collect()
        });
        let total: usize = chunk_totals.iter().sum();
        if total > u32::MAX as usize {
            return None;
        }
        let mut cells = vec![0u16; total];
        let mut starts = vec![0u32; n + 1];
        // split the outputs at the chunks' boundaries, then fill each chunk in parallel
        let mut parts = Vec::with_capacity(chunk_totals.len());
        let (mut rest_c, mut rest_s) = (&mut cells[..], &mut starts[1..]);
        let mut base = 0usize;
        for (k, &t) in chunk_totals.iter().enumerate() {
            let rows = ((k + 1) * CHUNK).min(n) - k * CHUNK;
            let (c, rc) = std::mem::take(&mut rest_c).split_at_mut(t);
            let (st, rs) = std::mem::take(&mut rest_s).split_at_mut(rows);
            rest_c = rc;
            rest_s = rs;
            parts.push((k * CHUNK, base, c, st));
            base += t;
        }
        parallel::install(|| {
            parts.into_par_iter().for_each(|(r0, base, c, st)| {
                let mut pos = 0;
                for (i, s) in st.iter_mut().enumerate() {
                    for ((col, &m), &o) in cols.iter().zip(&common).zip(offsets) {
                        let b = col[r0 + i];
                        if b != m {
                            c[pos] = (o + b as usize) as u16;
                            pos += 1;
                        }
                    }
                    *s = (base + pos) as u32;
                }
            });
        });
        Some(SparseRows {
            common,
            cells,
            starts,
        })
    }
}

impl Binned {
    /// Bin a row-major `n × f` matrix (parallel across features).
    pub fn new(x: &[f64], n: usize, f: usize, max_bins: usize) -> Self {
        let (mappers, cols): (Vec<(BinMapper, u8)>, Vec<Vec<u8>>) = parallel::install(|| {
            (0..f)
                .into_par_iter()
                .map(|j| {
                    let col = &x[j..];
                    let m = BinMapper::fit(col, f, n, max_bins);
                    let mut count = vec![0usize; m.n_bins()];
                    let bins = (0..n)
                        .map(|r| {
                            let b = m.bin(col[r * f]);
                            count[b as usize] += 1;
                            b
                        })
                        .collect();
                    // the most frequent bin (the lowest of equals)
                    let common = (0..count.len())
                        .rev()
                        .max_by_key(|&k| count[k])
                        .unwrap_or(0);
                    ((m, common as u8), bins)
                })
                .unzip()
        });
        let (mappers, common): (Vec<BinMapper>, Vec<u8>) = mappers.into_iter().unzip();
        let mut offsets = vec![0];
        for m in &mappers {
            offsets.push(offsets.last().copied().unwrap_or(0) + m.n_bins());
        }
        let sparse = SparseRows::new(&cols, common, &offsets);
        Binned {
            mappers,
            cols,
            offsets,
            sparse,
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
        let x = [3.0, 1.0, f64::NAN, 2.0, 1.0, 3.0, 2.0, 1.0, 3.0, 2.0];
        let m = BinMapper::fit(&x, 1, x.len(), 255);
        // NaN, zero and below (empty here), then one bin per value
        assert_eq!(m.n_bins(), 5);
        let b: Vec<u8> = x.iter().map(|&v| m.bin(v)).collect();
        assert_eq!(b, vec![4, 2, 0, 3, 2, 4, 3, 2, 4, 3]);
        assert!(m.threshold(2) >= 1.0 && m.threshold(2) < 2.0);
        assert_eq!(m.bin(100.0), 4);
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

    #[test]
    fn zero_apart_keeps_zero_alone_and_spends_the_bins_on_the_rest() {
        // 86 % zeros (like daily retail sales) and 1000 distinct positive counts
        let x: Vec<f64> = (0..100_000)
            .map(|i| {
                if i % 100 < 86 {
                    0.0
                } else {
                    (i / 100 + 1) as f64
                }
            })
            .collect();
        let m = BinMapper::fit(&x, 1, x.len(), 255);
        assert_eq!(m.upper[0], 1e-35);
        assert_eq!(m.bin(0.0), 1);
        // a small positive value (a recursive forecast) is above zero
        assert_eq!(m.bin(0.01), 2);
        // the positives get (nearly) all the other bins, not a 14 % share of them
        assert!(m.n_bins() > 200, "{}", m.n_bins());
        // negative values share the bins too, below -1e-35
        let y: Vec<f64> = (0..3000).map(|i| f64::from(i % 30 - 10)).collect();
        let n = BinMapper::fit(&y, 1, y.len(), 255);
        assert!(n.bin(-1.0) < n.bin(0.0) && n.bin(0.0) < n.bin(1.0));
        assert_eq!(n.threshold(n.bin(-1.0) as usize), -1e-35);
        // rare values merge: at least 3 sampled rows per bin
        let z = [1.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 4.0];
        let r = BinMapper::fit(&z, 1, z.len(), 255);
        assert_eq!(r.bin(1.0), r.bin(2.0));
        assert_ne!(r.bin(3.0), r.bin(4.0));
    }
}
