//! Split finding for the histogram tree learner (`tree.rs`): per-node histograms of
//! (Σg, Σh, rows) per feature bin, built row-wise (dense; the larger child by subtraction)
//! or, for small nodes and forests, from the bins the node's rows touch (sparse); the scan
//! of every threshold with missing values sent left or right.

use super::histogram::{Binned, SparseRows};
use super::rng::Rng;
use super::tree::TreeParams;
use crate::parallel;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};

/// Nanoseconds spent building histograms, searching splits and partitioning rows, then
/// the rows histograms and partitions visited (read by `SHELFCAST_PROFILE` diagnostics).
pub static PROFILE_NS: [AtomicU64; 5] = [
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
];

pub(super) fn timed<T>(k: usize, f: impl FnOnce() -> T) -> T {
    let t = std::time::Instant::now();
    let out = f();
    PROFILE_NS[k].fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
    out
}

/// Histogram cell: sums of gradients, hessians and rows.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Cell {
    pub(super) g: f64,
    pub(super) h: f64,
    pub(super) c: u32,
}

impl Cell {
    pub(super) fn add(&mut self, o: &Cell) {
        self.g += o.g;
        self.h += o.h;
        self.c += o.c;
    }
    pub(super) fn sub(&self, o: &Cell) -> Cell {
        Cell {
            g: self.g - o.g,
            h: self.h - o.h,
            c: self.c.saturating_sub(o.c),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Split {
    pub(super) gain: f64,
    pub(super) feature: usize,
    pub(super) bin: u8,
    pub(super) nan_left: bool,
    /// The node's next non-empty bin above `bin` (0: none, only missing values).
    pub(super) next: u8,
}

/// Nodes with fewer rows than this many histogram cells (all features) find their splits
/// by sorting their rows' bins instead of scanning full histograms (deep forest nodes).
const SPARSE_FACTOR: usize = 2;

pub(super) struct Learner<'a> {
    pub(super) b: &'a Binned,
    pub(super) g: &'a [f64],
    pub(super) h: &'a [f64],
    /// Every row's (g, h) side by side, read instead of `g`, `h` when not empty
    /// (boosting: a scattered row's gradients are one cache miss instead of two).
    pub(super) pairs: &'a [Gh],
    pub(super) allowed: &'a [usize],
    pub(super) p: &'a TreeParams,
    /// Whether gradients travel with the partitioned rows (`gh`), see [`Gh`].
    pub(super) ordered: bool,
    /// Buffers of the sparse search.
    pub(super) scratch: std::sync::Mutex<Scratch>,
}

/// A dense histogram cell: (Σg, Σh, rows). Rows are counted exactly (LightGBM estimates
/// them as `Σh · n / H`, which on this project's Tweedie benchmark cost 2 % MAE).
pub(super) type HCell = [f64; 3];

/// Gradient and hessian of a row, kept in the order of the partitioned rows for deep
/// trees (forests), so every pass over a node reads them sequentially although the node's
/// rows are scattered. Shallow boosting trees read `g[r]`, `h[r]` instead, which keeps the
/// partition (which scans every split's parent) moving 4 bytes per row instead of 20.
pub type Gh = [f64; 2];

impl Learner<'_> {
    /// Gradient and hessian of row `r`.
    #[inline(always)]
    pub(super) fn grad(&self, r: usize) -> (f64, f64) {
        if self.pairs.is_empty() {
            (self.g[r], self.h[r])
        } else {
            let [g, h] = self.pairs[r];
            (g, h)
        }
    }

    /// Flat histogram (cells of feature f at `offsets[f]..offsets[f + 1]`), row-wise, and
    /// the rows' total (Σg, Σh, rows).
    pub(super) fn hist(
        &self,
        rows: &[u32],
        gh: &[Gh],
        pool: &mut Vec<Vec<HCell>>,
    ) -> (Vec<HCell>, Cell) {
        PROFILE_NS[3].fetch_add(rows.len() as u64, Ordering::Relaxed);
        if let (false, Some(sp)) = (self.ordered, &self.b.sparse) {
            return self.hist_sparse(sp, rows, pool);
        }
        let hist = self.hist_dense(rows, gh, pool);
        // every row is in one bin of any feature accumulated
        let f = self.allowed.first().copied().unwrap_or(0);
        let mut total = Cell::default();
        for &[g, h, c] in &hist[self.b.offsets[f]..self.b.offsets[f + 1]] {
            total.g += g;
            total.h += h;
            total.c += c.round() as u32;
        }
        (hist, total)
    }

    /// [`Learner::hist`] from the row-major bins of every feature.
    fn hist_dense(&self, rows: &[u32], gh: &[Gh], pool: &mut Vec<Vec<HCell>>) -> Vec<HCell> {
        let nf = self.b.n_features();
        let total = self.b.offsets[nf];
        let all = self.allowed.len() == nf;
        let offs = &self.b.offsets[..nf];
        let one = |chunk: &[u32], ghc: &[Gh], mut hist: Vec<HCell>| {
            hist.clear();
            hist.resize(total, [0.0; 3]);
            for (k, &r) in chunk.iter().enumerate() {
                let r = r as usize;
                let [g, h] = if self.ordered {
                    ghc[k]
                } else {
                    let (g, h) = self.grad(r);
                    [g, h]
                };
                let row = &self.b.rows[r * nf..(r + 1) * nf];
                if all {
                    for (&bin, &o) in row.iter().zip(offs) {
                        let c = &mut hist[o + bin as usize];
                        c[0] += g;
                        c[1] += h;
                        c[2] += 1.0;
                    }
                } else {
                    for &f in self.allowed {
                        let c = &mut hist[offs[f] + row[f] as usize];
                        c[0] += g;
                        c[1] += h;
                        c[2] += 1.0;
                    }
                }
            }
            hist
        };
        let buf = pool.pop().unwrap_or_default();
        if self.p.parallel && rows.len() > 30_000 {
            let chunk = rows.len().div_ceil(parallel::num_threads().max(1));
            parallel::install(|| {
                rows.par_chunks(chunk)
                    .enumerate()
                    .map(|(i, c)| {
                        let ghc = if self.ordered {
                            &gh[i * chunk..i * chunk + c.len()]
                        } else {
                            &[]
                        };
                        one(c, ghc, Vec::new())
                    })
                    .reduce_with(|mut a, b| {
                        a.iter_mut().zip(&b).for_each(|(x, y)| {
                            x[0] += y[0];
                            x[1] += y[1];
                            x[2] += y[2];
                        });
                        a
                    })
            })
            .unwrap_or_else(|| one(&[], &[], buf))
        } else {
            one(rows, gh, buf)
        }
    }

    /// [`Learner::hist`] from the rows' uncommon bins ([`SparseRows`]), each feature's
    /// most frequent cell then set to the rows' total minus its other cells.
    fn hist_sparse(
        &self,
        sp: &SparseRows,
        rows: &[u32],
        pool: &mut Vec<Vec<HCell>>,
    ) -> (Vec<HCell>, Cell) {
        let nf = self.b.n_features();
        let total = self.b.offsets[nf];
        let one = |chunk: &[u32], mut hist: Vec<HCell>| {
            hist.clear();
            hist.resize(total, [0.0; 3]);
            let mut sum = Cell::default();
            for &r in chunk {
                let r = r as usize;
                let (g, h) = self.grad(r);
                sum.g += g;
                sum.h += h;
                sum.c += 1;
                let cells = &sp.cells[sp.starts[r] as usize..sp.starts[r + 1] as usize];
                for &k in cells {
                    let c = &mut hist[k as usize];
                    c[0] += g;
                    c[1] += h;
                    c[2] += 1.0;
                }
            }
            (hist, sum)
        };
        // Big nodes in parts of a size that depends on the node alone (so the sums, and
        // the trees, are the same for any number of threads), up to 8: rows differ in
        // their number of cells (a series that sells daily has several times the cells
        // of one that rarely sells), so equal row counts are not equal work, and idle
        // threads steal the remaining parts.
        let chunk = if rows.len() > PARALLEL_HIST {
            (rows.len() / 8).max(PARALLEL_HIST)
        } else {
            rows.len().max(1)
        };
        let mut parts: Vec<Vec<HCell>> = Vec::with_capacity(rows.len().div_ceil(chunk));
        parts.resize_with(rows.len().div_ceil(chunk).max(1), || {
            pool.pop().unwrap_or_default()
        });
        let parts: Vec<(Vec<HCell>, Cell)> = if self.p.parallel && parts.len() > 1 {
            parallel::install(|| {
                rows.par_chunks(chunk)
                    .zip(parts.into_par_iter())
                    .map(|(c, buf)| one(c, buf))
                    .collect()
            })
        } else if rows.is_empty() {
            parts.into_iter().map(|buf| one(&[], buf)).collect()
        } else {
            rows.chunks(chunk)
                .zip(parts)
                .map(|(c, buf)| one(c, buf))
                .collect()
        };
        let mut parts = parts.into_iter();
        let (mut hist, mut sum) = parts.next().unwrap_or_default();
        for (p, s) in parts {
            hist.iter_mut().zip(&p).for_each(|(x, y)| {
                x[0] += y[0];
                x[1] += y[1];
                x[2] += y[2];
            });
            sum.add(&s);
            pool.push(p);
        }
        for f in 0..nf {
            let (lo, hi) = (self.b.offsets[f], self.b.offsets[f + 1]);
            let m = lo + sp.common[f] as usize;
            let mut rest = [0.0; 3];
            for (k, c) in hist[lo..hi].iter().enumerate() {
                if lo + k != m {
                    rest[0] += c[0];
                    rest[1] += c[1];
                    rest[2] += c[2];
                }
            }
            let count = f64::from(sum.c) - rest[2];
            hist[m] = if count > 0.0 {
                [sum.g - rest[0], sum.h - rest[1], count]
            } else {
                [0.0; 3]
            };
        }
        (hist, sum)
    }

    pub(super) fn is_small(&self, n: usize) -> bool {
        // With a feature subset per node (forests) the sparse search touches only the
        // drawn features of the node's rows, which beats a full histogram at any size.
        self.p
            .features_per_node
            .is_some_and(|k| k < self.allowed.len())
            || n * SPARSE_FACTOR < self.b.offsets[self.b.n_features()]
    }

    pub(super) fn score(&self, c: &Cell) -> f64 {
        c.g * c.g / (c.h + self.p.lambda)
    }

    pub(super) fn ok(&self, c: &Cell) -> bool {
        c.c as usize >= self.p.min_samples_leaf && c.h >= self.p.min_hessian
    }

    pub(super) fn features(&self, rng: &mut Rng) -> Vec<usize> {
        match self.p.features_per_node {
            Some(k) if k < self.allowed.len() => rng
                .choose(self.allowed.len(), k)
                .into_iter()
                .map(|i| self.allowed[i])
                .collect(),
            _ => self.allowed.to_vec(),
        }
    }

    /// Scan one feature's non-missing bins in increasing order (`cells`), with the
    /// missing-value cell `nan`, updating `best`.
    pub(super) fn scan(
        &self,
        f: usize,
        cells: impl Iterator<Item = (usize, Cell)>,
        nan: Cell,
        sum: &Cell,
        parent: f64,
        best: &mut Option<Split>,
    ) {
        let consider = |best: &mut Option<Split>, gain: f64, bin: usize, nan_left: bool| {
            let better = gain > 1e-12 && best.is_none_or(|b| gain > b.gain);
            if better {
                *best = Some(Split {
                    gain,
                    feature: f,
                    bin: bin as u8,
                    nan_left,
                    next: 0,
                });
            }
            better
        };
        let mut acc = Cell::default();
        // whether `best` was set at the previous non-empty bin (its `next` is this one)
        let mut armed = false;
        for (b, cell) in cells {
            if cell.c == 0 && cell.h == 0.0 && cell.g == 0.0 {
                continue; // an empty bin: same split as the previous threshold
            }
            if armed && cell.c > 0 {
                if let Some(s) = best.as_mut() {
                    s.next = b as u8;
                }
                armed = false;
            }
            acc.add(&cell);
            let right = sum.sub(&acc);
            if right.c > 0 && self.ok(&acc) && self.ok(&right) {
                armed |= consider(
                    best,
                    self.score(&acc) + self.score(&right) - parent,
                    b,
                    false,
                );
            }
            if nan.c > 0 {
                let mut left = acc;
                left.add(&nan);
                let right = sum.sub(&left);
                if right.c > 0 && self.ok(&left) && self.ok(&right) {
                    armed |= consider(
                        best,
                        self.score(&left) + self.score(&right) - parent,
                        b,
                        true,
                    );
                }
            }
        }
    }

    pub(super) fn best_split(&self, hist: &[HCell], sum: &Cell, rng: &mut Rng) -> Option<Split> {
        let parent = self.score(sum);
        let cell = |&[g, h, c]: &HCell| Cell {
            g,
            h,
            c: c.round() as u32,
        };
        let mut best = None;
        for f in self.features(rng) {
            let hf = &hist[self.b.offsets[f]..self.b.offsets[f + 1]];
            let cells = hf.iter().map(cell).enumerate().skip(1);
            self.scan(f, cells, cell(&hf[0]), sum, parent, &mut best);
        }
        best
    }

    /// [`Learner::best_split`] for a small node: accumulate only the bins its rows touch
    /// and scan those (cost ∝ rows, not bins). One pass over the rows serves up to
    /// [`GROUP`] features, reading each row's bins from one place of the row-major matrix
    /// (deep nodes' rows are scattered: one cache miss per row instead of one per feature).
    /// When every drawn feature is constant in the node, further features are drawn one
    /// at a time until one varies (scikit-learn's rule), so a node is a leaf only when no
    /// feature can split it.
    pub(super) fn best_split_sparse(
        &self,
        rows: &[u32],
        gh: &[Gh],
        sum: &Cell,
        rng: &mut Rng,
    ) -> Option<Split> {
        let parent = self.score(sum);
        let mut best = None;
        let feats = self.features(rng);
        let mut guard = self.scratch.lock().unwrap_or_else(|e| e.into_inner());
        let mut varies = false;
        for group in feats.chunks(GROUP) {
            varies |= self.search_group(&mut guard, group, rows, gh, sum, parent, &mut best);
        }
        if !varies && feats.len() < self.allowed.len() {
            let mut rest: Vec<usize> = self
                .allowed
                .iter()
                .copied()
                .filter(|f| !feats.contains(f))
                .collect();
            while !varies && !rest.is_empty() {
                let f = rest.swap_remove(rng.below(rest.len()));
                varies = self.search_group(&mut guard, &[f], rows, gh, sum, parent, &mut best);
            }
        }
        best
    }

    /// Accumulate and scan the features `group` (at most [`GROUP`]) over `rows`; whether
    /// any of them takes more than one bin in the node.
    #[allow(clippy::too_many_arguments)]
    fn search_group(
        &self,
        scratch: &mut Scratch,
        group: &[usize],
        rows: &[u32],
        gh: &[Gh],
        sum: &Cell,
        parent: f64,
        best: &mut Option<Split>,
    ) -> bool {
        let nf = self.b.n_features();
        let Scratch {
            cells,
            touched,
            ordered,
        } = scratch;
        if cells.len() < GROUP * 256 {
            cells.resize(GROUP * 256, Cell::default());
        }
        touched.resize_with(GROUP, Vec::new);
        for t in touched.iter_mut() {
            t.clear();
        }
        let mut add = |r: u32, g: f64, h: f64| {
            let row = &self.b.rows[r as usize * nf..(r as usize + 1) * nf];
            for (j, &f) in group.iter().enumerate() {
                let b = row[f];
                let c = &mut cells[j * 256 + b as usize];
                if c.c == 0 {
                    touched[j].push(b);
                }
                c.g += g;
                c.h += h;
                c.c += 1;
            }
        };
        if self.ordered {
            for (&r, &[g, h]) in rows.iter().zip(gh) {
                add(r, g, h);
            }
        } else {
            for &r in rows {
                let (g, h) = self.grad(r as usize);
                add(r, g, h);
            }
        }
        let mut varies = false;
        for (j, &f) in group.iter().enumerate() {
            let t = &mut touched[j];
            varies |= t.len() > 1;
            t.sort_unstable();
            ordered.clear();
            let mut nan = Cell::default();
            for &b in t.iter() {
                let c = std::mem::take(&mut cells[j * 256 + b as usize]);
                if b == 0 {
                    nan = c;
                } else {
                    ordered.push((b as usize, c));
                }
            }
            self.scan(f, ordered.iter().copied(), nan, sum, parent, best);
        }
        varies
    }

    /// The best split of a node (`None`: it is a leaf). Nodes too small to have two
    /// children of `min_samples_leaf` rows, and (forests) nodes whose rows all have the
    /// same target, are leaves without a search, as in scikit-learn.
    pub(super) fn split_of(
        &self,
        hist: Option<&Vec<HCell>>,
        rows: &[u32],
        gh: &[Gh],
        sum: &Cell,
        rng: &mut Rng,
    ) -> Option<Split> {
        if (sum.c as usize) < 2 * self.p.min_samples_leaf.max(1) {
            return None;
        }
        if self.ordered {
            if let Some(&[g0, h0]) = gh.first() {
                let y0 = -g0 / h0;
                if gh.iter().all(|&[g, h]| -g / h == y0) {
                    return None;
                }
            }
        }
        match hist {
            Some(h) => self.best_split(h, sum, rng),
            None => self.best_split_sparse(rows, gh, sum, rng),
        }
    }
}

/// Nodes with more rows than this build their (sparse-row) histograms in parts, in
/// parallel.
pub(super) const PARALLEL_HIST: usize = 8_000;

/// Features accumulated together by [`Learner::best_split_sparse`].
const GROUP: usize = 8;

/// Reused buffers of the sparse split search: `GROUP` × 256 cells (all zero between
/// searches), the bins each feature's rows touched and one feature's non-empty cells.
#[derive(Default)]
pub(super) struct Scratch {
    cells: Vec<Cell>,
    touched: Vec<Vec<u8>>,
    ordered: Vec<(usize, Cell)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::histogram::BinRule;

    fn params(parallel: bool) -> TreeParams {
        TreeParams {
            max_leaves: 31,
            max_depth: 0,
            min_samples_leaf: 5,
            min_hessian: 1e-3,
            lambda: 0.0,
            features_per_node: None,
            depth_first: false,
            parallel,
            node_thresholds: false,
        }
    }

    /// 70 000 rows, 4 features: mostly zero (with NaNs), a calendar-like cycle whose most
    /// frequent bin is not the first, a continuous one, a constant one.
    fn data() -> (Binned, Vec<f64>, Vec<f64>) {
        let n = 70_000;
        let mut x = Vec::with_capacity(n * 4);
        for i in 0..n {
            let zero = if i % 7 < 6 { 0.0 } else { (i % 13) as f64 };
            let lag = if i % 101 == 0 { f64::NAN } else { zero };
            let cyc = [3.0, 5.0, 5.0, 5.0, 1.0][i % 5];
            x.extend([lag, cyc, ((i * 7919) % 1000) as f64 / 10.0, 2.0]);
        }
        let b = Binned::new(&x, n, 4, 255, BinRule::ZeroApart);
        let g: Vec<f64> = (0..n).map(|i| ((i * 31) % 17) as f64 - 8.0).collect();
        let h: Vec<f64> = (0..n).map(|i| 1.0 + (i % 3) as f64).collect();
        (b, g, h)
    }

    #[test]
    fn skipping_the_most_frequent_bins_gives_the_full_histogram() {
        let (b, g, h) = data();
        let sp = b.sparse.as_ref().expect("sparse rows");
        assert_eq!(sp.common[0], b.mappers[0].bin(0.0));
        assert_eq!(sp.common[1], b.mappers[1].bin(5.0));
        // a row keeps only its uncommon bins: row 6 has lag 6 and cycle 5 (common)
        let r6 = &sp.cells[sp.starts[6] as usize..sp.starts[7] as usize];
        assert_eq!(r6.len(), 2, "{r6:?}");
        let mut dense_b = b.clone();
        dense_b.sparse = None;
        let allowed = [0, 1, 2, 3];
        for parallel in [false, true] {
            let p = params(parallel);
            let learner = |b| Learner {
                b,
                g: &g,
                h: &h,
                pairs: &[],
                allowed: &allowed,
                p: &p,
                ordered: false,
                scratch: Default::default(),
            };
            let (sparse, dense) = (learner(&b), learner(&dense_b));
            // all rows, then a scattered subset (a child node)
            let all: Vec<u32> = (0..g.len() as u32).collect();
            let some: Vec<u32> = all.iter().copied().filter(|r| r % 3 != 1).collect();
            for rows in [&all, &some] {
                let mut sum = Cell::default();
                for &r in rows.iter() {
                    sum.add(&Cell {
                        g: g[r as usize],
                        h: h[r as usize],
                        c: 1,
                    });
                }
                let (a, at) = sparse.hist(rows, &[], &mut Vec::new());
                let (d, dt) = dense.hist(rows, &[], &mut Vec::new());
                for t in [at, dt] {
                    assert_eq!(t.c, sum.c);
                    assert!((t.g - sum.g).abs() < 1e-6 && (t.h - sum.h).abs() < 1e-6);
                }
                assert_eq!(a.len(), d.len());
                for (k, (x, y)) in a.iter().zip(&d).enumerate() {
                    assert_eq!(x[2], y[2], "count of cell {k}");
                    assert!(
                        (x[0] - y[0]).abs() < 1e-6 && (x[1] - y[1]).abs() < 1e-6,
                        "cell {k}: {x:?} vs {y:?}"
                    );
                }
            }
        }
        // integer gradients: every sum is exact, so the trees are the same
        let p = params(true);
        let grow_on = |b: &Binned| {
            let mut rows: Vec<u32> = (0..g.len() as u32).collect();
            crate::ml::tree::grow(b, &g, &h, &mut rows, &allowed, &p, &mut Rng::new(0, 0)).tree
        };
        assert_eq!(grow_on(&b), grow_on(&dense_b));
    }
}
