//! The histogram regression-tree learner shared by gradient boosting and the random
//! forest (written natively: linfa-trees 0.8 only has classification trees). A tree fits
//! per-row gradients `g` and hessians `h` (squared error on `y`: `g = −y`, `h = 1` gives the
//! CART variance-reduction tree). Each node's histogram of (Σg, Σh, count) per feature bin
//! is built for the smaller child only, the larger one by subtraction from the parent.
//! Split gain is `G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)`; missing values (bin 0) go to
//! whichever side gains more. Growth is best-first up to `max_leaves` (boosting) or
//! depth-first without a leaf limit (forest).

use super::histogram::Binned;
use super::rng::Rng;
use crate::parallel;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};

/// Nanoseconds spent building histograms, searching splits and partitioning rows
/// (read by `SHELFCAST_PROFILE` diagnostics).
pub static PROFILE_NS: [AtomicU64; 4] = [
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
];

fn timed<T>(k: usize, f: impl FnOnce() -> T) -> T {
    let t = std::time::Instant::now();
    let out = f();
    PROFILE_NS[k].fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
    out
}

/// Histogram cell: sums of gradients, hessians and rows.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Cell {
    g: f64,
    h: f64,
    c: u32,
}

impl Cell {
    fn add(&mut self, o: &Cell) {
        self.g += o.g;
        self.h += o.h;
        self.c += o.c;
    }
    fn sub(&self, o: &Cell) -> Cell {
        Cell {
            g: self.g - o.g,
            h: self.h - o.h,
            c: self.c.saturating_sub(o.c),
        }
    }
}

/// How a tree is grown.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeParams {
    /// Maximum number of leaves (`usize::MAX`: unlimited).
    pub max_leaves: usize,
    /// Maximum depth (0: unlimited).
    pub max_depth: usize,
    /// Minimum rows in a leaf.
    pub min_samples_leaf: usize,
    /// Minimum sum of hessians in a leaf.
    pub min_hessian: f64,
    /// L2 regularisation of leaf values.
    pub lambda: f64,
    /// Features tried at each node (`None`: all allowed ones).
    pub features_per_node: Option<usize>,
    /// Depth-first growth (bounded memory for deep trees) instead of best-first.
    pub depth_first: bool,
    /// Build histograms in parallel across features.
    pub parallel: bool,
}

/// A tree node.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Node {
    /// Output value.
    Leaf(f64),
    /// Go left when `x[feature] <= threshold` (NaN: `nan_left`).
    Split {
        feature: u32,
        bin: u8,
        threshold: f64,
        nan_left: bool,
        left: u32,
        right: u32,
    },
}

/// A regression tree.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tree {
    /// Nodes; 0 is the root.
    pub nodes: Vec<Node>,
}

impl Tree {
    /// The output for a raw feature row.
    pub fn predict(&self, x: &[f64]) -> f64 {
        let mut i = 0;
        loop {
            match self.nodes[i] {
                Node::Leaf(v) => return v,
                Node::Split {
                    feature,
                    threshold,
                    nan_left,
                    left,
                    right,
                    ..
                } => {
                    let v = x[feature as usize];
                    let go_left = if v.is_nan() { nan_left } else { v <= threshold };
                    i = if go_left { left } else { right } as usize;
                }
            }
        }
    }

    /// The output for binned row `r` (same result as [`Tree::predict`] on the raw row).
    pub fn predict_binned(&self, b: &Binned, r: usize) -> f64 {
        let mut i = 0;
        loop {
            match self.nodes[i] {
                Node::Leaf(v) => return v,
                Node::Split {
                    feature,
                    bin,
                    nan_left,
                    left,
                    right,
                    ..
                } => {
                    let v = b.cols[feature as usize][r];
                    let go_left = if v == 0 { nan_left } else { v <= bin };
                    i = if go_left { left } else { right } as usize;
                }
            }
        }
    }

    /// The leaf (node index) binned row `r` falls in.
    pub fn leaf_binned(&self, b: &Binned, r: usize) -> usize {
        let mut i = 0;
        loop {
            match self.nodes[i] {
                Node::Leaf(_) => return i,
                Node::Split {
                    feature,
                    bin,
                    nan_left,
                    left,
                    right,
                    ..
                } => {
                    let v = b.cols[feature as usize][r];
                    let go_left = if v == 0 { nan_left } else { v <= bin };
                    i = if go_left { left } else { right } as usize;
                }
            }
        }
    }

    /// Multiply every leaf value by `k`.
    pub fn scale(&mut self, k: f64) {
        for n in &mut self.nodes {
            if let Node::Leaf(v) = n {
                *v *= k;
            }
        }
    }
}

/// A grown tree with its leaves' row ranges (into the partitioned `rows`) and split gains.
#[derive(Debug, Clone)]
pub struct Grown {
    /// The tree (leaf values `−G/(H+λ)`).
    pub tree: Tree,
    /// (node index, start, end) of every leaf in `rows`.
    pub leaves: Vec<(usize, usize, usize)>,
    /// Total gain per feature.
    pub gains: Vec<f64>,
}

#[derive(Debug, Clone, Copy)]
struct Split {
    gain: f64,
    feature: usize,
    bin: u8,
    nan_left: bool,
}

/// Nodes with fewer rows than this many histogram cells (all features) find their splits
/// by sorting their rows' bins instead of scanning full histograms (deep forest nodes).
const SPARSE_FACTOR: usize = 2;

struct Pending {
    node: usize,
    start: usize,
    end: usize,
    depth: usize,
    sum: Cell,
    hist: Option<Vec<HCell>>,
    split: Option<Split>,
}

struct Learner<'a> {
    b: &'a Binned,
    g: &'a [f64],
    h: &'a [f64],
    allowed: &'a [usize],
    p: &'a TreeParams,
    /// Whether gradients travel with the partitioned rows (`gh`), see [`Gh`].
    ordered: bool,
}

/// A dense histogram cell: (Σg, Σh, rows). Rows are counted exactly (LightGBM estimates
/// them as `Σh · n / H`, which on this project's Tweedie benchmark cost 2 % MAE).
type HCell = [f64; 3];

/// Gradient and hessian of a row, kept in the order of the partitioned rows for deep
/// trees (forests), so every pass over a node reads them sequentially although the node's
/// rows are scattered. Shallow boosting trees read `g[r]`, `h[r]` instead, which keeps the
/// partition (which scans every split's parent) moving 4 bytes per row instead of 20.
type Gh = [f64; 2];

impl Learner<'_> {
    /// Flat histogram (cells of feature f at `offsets[f]..offsets[f + 1]`), row-wise.
    fn hist(&self, rows: &[u32], gh: &[Gh], pool: &mut Vec<Vec<HCell>>) -> Vec<HCell> {
        PROFILE_NS[3].fetch_add(rows.len() as u64, Ordering::Relaxed);
        let nf = self.b.n_features();
        let total = self.b.offsets[nf];
        let all = self.allowed.len() == nf;
        let one = |chunk: &[u32], ghc: &[Gh], mut hist: Vec<HCell>| {
            hist.clear();
            hist.resize(total, [0.0; 3]);
            for (k, &r) in chunk.iter().enumerate() {
                let r = r as usize;
                let [g, h] = if self.ordered {
                    ghc[k]
                } else {
                    [self.g[r], self.h[r]]
                };
                let row = &self.b.rows[r * nf..(r + 1) * nf];
                let mut add = |f: usize| {
                    let c = &mut hist[self.b.offsets[f] + row[f] as usize];
                    c[0] += g;
                    c[1] += h;
                    c[2] += 1.0;
                };
                if all {
                    (0..nf).for_each(&mut add);
                } else {
                    self.allowed.iter().for_each(|&f| add(f));
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

    fn is_small(&self, n: usize) -> bool {
        // With a feature subset per node (forests) the sparse search touches only the
        // drawn features of the node's rows, which beats a full histogram at any size.
        self.p
            .features_per_node
            .is_some_and(|k| k < self.allowed.len())
            || n * SPARSE_FACTOR < self.b.offsets[self.b.n_features()]
    }

    fn score(&self, c: &Cell) -> f64 {
        c.g * c.g / (c.h + self.p.lambda)
    }

    fn ok(&self, c: &Cell) -> bool {
        c.c as usize >= self.p.min_samples_leaf && c.h >= self.p.min_hessian
    }

    fn features(&self, rng: &mut Rng) -> Vec<usize> {
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
    fn scan(
        &self,
        f: usize,
        cells: impl Iterator<Item = (usize, Cell)>,
        nan: Cell,
        sum: &Cell,
        parent: f64,
        best: &mut Option<Split>,
    ) {
        let mut consider = |gain: f64, bin: usize, nan_left: bool| {
            if gain > 1e-12 && best.is_none_or(|b| gain > b.gain) {
                *best = Some(Split {
                    gain,
                    feature: f,
                    bin: bin as u8,
                    nan_left,
                });
            }
        };
        let mut acc = Cell::default();
        for (b, cell) in cells {
            if cell.c == 0 && cell.h == 0.0 && cell.g == 0.0 {
                continue; // an empty bin: same split as the previous threshold
            }
            acc.add(&cell);
            let right = sum.sub(&acc);
            if right.c > 0 && self.ok(&acc) && self.ok(&right) {
                consider(self.score(&acc) + self.score(&right) - parent, b, false);
            }
            if nan.c > 0 {
                let mut left = acc;
                left.add(&nan);
                let right = sum.sub(&left);
                if right.c > 0 && self.ok(&left) && self.ok(&right) {
                    consider(self.score(&left) + self.score(&right) - parent, b, true);
                }
            }
        }
    }

    fn best_split(&self, hist: &[HCell], sum: &Cell, rng: &mut Rng) -> Option<Split> {
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

    /// [`Learner::best_split`] for a small node: per feature, accumulate only the bins its
    /// rows touch and scan those (cost ∝ rows, not bins).
    fn best_split_sparse(
        &self,
        rows: &[u32],
        gh: &[Gh],
        sum: &Cell,
        rng: &mut Rng,
    ) -> Option<Split> {
        let parent = self.score(sum);
        let mut best = None;
        let mut cells = [Cell::default(); 256];
        let mut touched: Vec<u8> = Vec::with_capacity(rows.len().min(256));
        let mut ordered: Vec<(usize, Cell)> = Vec::with_capacity(rows.len().min(256));
        for f in self.features(rng) {
            let col = &self.b.cols[f];
            touched.clear();
            let mut add = |r: u32, g: f64, h: f64| {
                let b = col[r as usize];
                let c = &mut cells[b as usize];
                if c.c == 0 {
                    touched.push(b);
                }
                c.g += g;
                c.h += h;
                c.c += 1;
            };
            if self.ordered {
                for (&r, &[g, h]) in rows.iter().zip(gh) {
                    add(r, g, h);
                }
            } else {
                for &r in rows {
                    add(r, self.g[r as usize], self.h[r as usize]);
                }
            }
            touched.sort_unstable();
            ordered.clear();
            let mut nan = Cell::default();
            for &b in &touched {
                let c = std::mem::take(&mut cells[b as usize]);
                if b == 0 {
                    nan = c;
                } else {
                    ordered.push((b as usize, c));
                }
            }
            self.scan(f, ordered.iter().copied(), nan, sum, parent, &mut best);
        }
        best
    }

    fn split_of(
        &self,
        hist: Option<&Vec<HCell>>,
        rows: &[u32],
        gh: &[Gh],
        sum: &Cell,
        rng: &mut Rng,
    ) -> Option<Split> {
        match hist {
            Some(h) => self.best_split(h, sum, rng),
            None => self.best_split_sparse(rows, gh, sum, rng),
        }
    }

    fn goes_left(&self, s: &Split, r: u32) -> bool {
        let v = self.b.cols[s.feature][r as usize];
        if v == 0 {
            s.nan_left
        } else {
            v <= s.bin
        }
    }
}

/// Grow one tree on `rows` (partitioned in place by leaf) using only `allowed` features.
pub fn grow(
    b: &Binned,
    g: &[f64],
    h: &[f64],
    rows: &mut [u32],
    allowed: &[usize],
    p: &TreeParams,
    rng: &mut Rng,
) -> Grown {
    let ordered = p.features_per_node.is_some();
    let l = Learner {
        b,
        g,
        h,
        allowed,
        p,
        ordered,
    };
    let mut gh: Vec<Gh> = if ordered {
        rows.iter()
            .map(|&r| [g[r as usize], h[r as usize]])
            .collect()
    } else {
        Vec::new()
    };
    let mut nodes = vec![Node::Leaf(0.0)];
    let mut gains = vec![0.0; b.n_features()];
    let mut leaves = Vec::new();
    let mut sum = Cell::default();
    for &r in rows.iter() {
        sum.g += g[r as usize];
        sum.h += h[r as usize];
        sum.c += 1;
    }
    // Histogram buffers of finished nodes, reused (deep trees would otherwise allocate and
    // zero fresh pages for every node).
    let mut pool: Vec<Vec<HCell>> = Vec::new();
    let hist = (!l.is_small(rows.len())).then(|| timed(0, || l.hist(rows, &gh, &mut pool)));
    let split = timed(1, || l.split_of(hist.as_ref(), rows, &gh, &sum, rng));
    let mut pending = vec![Pending {
        node: 0,
        start: 0,
        end: rows.len(),
        depth: 0,
        sum,
        hist,
        split,
    }];
    let mut n_leaves = 1usize;
    let mut scratch: Vec<u32> = Vec::new();
    let mut scratch_gh: Vec<Gh> = Vec::new();
    let mut big: Vec<u32> = Vec::new();
    let leaf_value = |c: &Cell| {
        if c.h + p.lambda > 0.0 {
            -c.g / (c.h + p.lambda)
        } else {
            0.0
        }
    };
    loop {
        let pick = if p.depth_first {
            pending.len().checked_sub(1)
        } else {
            // best-first: the pending leaf with the largest gain (unsplittable ones first out)
            (0..pending.len()).max_by(|&a, &c| {
                let ga = pending[a].split.map_or(f64::NEG_INFINITY, |s| s.gain);
                let gc = pending[c].split.map_or(f64::NEG_INFINITY, |s| s.gain);
                ga.total_cmp(&gc)
            })
        };
        let Some(i) = pick else { break };
        let mut cand = pending.swap_remove(i);
        let can_split = cand.split.is_some()
            && n_leaves < p.max_leaves
            && (p.max_depth == 0 || cand.depth < p.max_depth);
        let Some(s) = cand.split.filter(|_| can_split) else {
            nodes[cand.node] = Node::Leaf(leaf_value(&cand.sum));
            leaves.push((cand.node, cand.start, cand.end));
            pool.extend(cand.hist.take());
            if !p.depth_first {
                // best-first: the best gain is unusable, so every other leaf is final too
                if cand.split.is_none() || n_leaves >= p.max_leaves {
                    for q in pending.drain(..) {
                        nodes[q.node] = Node::Leaf(leaf_value(&q.sum));
                        leaves.push((q.node, q.start, q.end));
                    }
                }
            }
            continue;
        };
        // partition rows[start..end] (and their gradients) stably: left rows first
        let seg = &mut rows[cand.start..cand.end];
        let seg_gh: &mut [Gh] = if ordered {
            &mut gh[cand.start..cand.end]
        } else {
            &mut []
        };
        let n_left = timed(2, || {
            if p.parallel && !ordered && seg.len() > 60_000 {
                // Two parallel passes into a buffer reused across splits: count each chunk's
                // left rows, then write every chunk's rows into its own disjoint slots.
                let chunk = seg.len().div_ceil(parallel::num_threads().max(1));
                let seg_ro: &[u32] = seg;
                let counts: Vec<usize> = parallel::install(|| {
                    seg_ro
                        .par_chunks(chunk)
                        .map(|c| c.iter().filter(|&&r| l.goes_left(&s, r)).count())
                        .collect()
                });
                let n_left: usize = counts.iter().sum();
                if big.len() < seg.len() {
                    big.resize(seg.len(), 0);
                }
                let out = &mut big[..seg.len()];
                let (mut lrest, mut rrest) = out.split_at_mut(n_left);
                let mut slots = Vec::with_capacity(counts.len());
                for (c, &nl) in seg_ro.chunks(chunk).zip(&counts) {
                    let (a, b) = std::mem::take(&mut lrest).split_at_mut(nl);
                    lrest = b;
                    let (x, y) = std::mem::take(&mut rrest).split_at_mut(c.len() - nl);
                    rrest = y;
                    slots.push((c, a, x));
                }
                parallel::install(|| {
                    slots.into_par_iter().for_each(|(c, lp, rp)| {
                        let (mut i, mut j) = (0, 0);
                        for &r in c {
                            if l.goes_left(&s, r) {
                                lp[i] = r;
                                i += 1;
                            } else {
                                rp[j] = r;
                                j += 1;
                            }
                        }
                    });
                });
                seg.copy_from_slice(&big[..seg.len()]);
                n_left
            } else {
                scratch.clear();
                scratch_gh.clear();
                let mut n_left = 0;
                if ordered {
                    for k in 0..seg.len() {
                        let (r, v) = (seg[k], seg_gh[k]);
                        if l.goes_left(&s, r) {
                            seg[n_left] = r;
                            seg_gh[n_left] = v;
                            n_left += 1;
                        } else {
                            scratch.push(r);
                            scratch_gh.push(v);
                        }
                    }
                    seg_gh[n_left..].copy_from_slice(&scratch_gh);
                } else {
                    for k in 0..seg.len() {
                        let r = seg[k];
                        if l.goes_left(&s, r) {
                            seg[n_left] = r;
                            n_left += 1;
                        } else {
                            scratch.push(r);
                        }
                    }
                }
                seg[n_left..].copy_from_slice(&scratch);
                n_left
            }
        });
        let mid = cand.start + n_left;
        if n_left == 0 || mid == cand.end {
            // An estimated count let a split through that sends every row one way: the
            // node is a leaf (never loop on an identical child).
            nodes[cand.node] = Node::Leaf(leaf_value(&cand.sum));
            leaves.push((cand.node, cand.start, cand.end));
            pool.extend(cand.hist.take());
            continue;
        }
        let (left_rows, right_rows) = rows[cand.start..cand.end].split_at(n_left);
        let small_is_left = left_rows.len() <= right_rows.len();
        let (left_gh, right_gh): (&[Gh], &[Gh]) = if ordered {
            gh[cand.start..cand.end].split_at(n_left)
        } else {
            (&[], &[])
        };
        let mut ss = Cell::default();
        if ordered {
            for &[gr, hr] in if small_is_left { left_gh } else { right_gh } {
                ss.g += gr;
                ss.h += hr;
                ss.c += 1;
            }
        } else {
            for &r in if small_is_left { left_rows } else { right_rows } {
                ss.g += g[r as usize];
                ss.h += h[r as usize];
                ss.c += 1;
            }
        }
        let (ls, rs) = if small_is_left {
            (ss, cand.sum.sub(&ss))
        } else {
            (cand.sum.sub(&ss), ss)
        };
        let (small, small_gh, large) = if small_is_left {
            (left_rows, left_gh, right_rows)
        } else {
            (right_rows, right_gh, left_rows)
        };
        // Histograms for both children when the larger one is big enough to need one: the
        // smaller child's from its rows, the larger one's by subtraction.
        let (lh, rh) = match cand.hist.take() {
            Some(mut ph) if !l.is_small(large.len()) => {
                let sh = timed(0, || l.hist(small, small_gh, &mut pool));
                ph.iter_mut().zip(&sh).for_each(|(a, c)| {
                    a[0] -= c[0];
                    a[1] -= c[1];
                    a[2] -= c[2];
                });
                if small_is_left {
                    (Some(sh), Some(ph))
                } else {
                    (Some(ph), Some(sh))
                }
            }
            other => {
                pool.extend(other);
                (None, None)
            }
        };
        gains[s.feature] += s.gain;
        let (li, ri) = (nodes.len(), nodes.len() + 1);
        nodes.push(Node::Leaf(0.0));
        nodes.push(Node::Leaf(0.0));
        nodes[cand.node] = Node::Split {
            feature: s.feature as u32,
            bin: s.bin,
            threshold: b.mappers[s.feature].threshold(s.bin as usize),
            nan_left: s.nan_left,
            left: li as u32,
            right: ri as u32,
        };
        n_leaves += 1;
        let depth = cand.depth + 1;
        let (lsplit, rsplit) = timed(1, || {
            (
                l.split_of(lh.as_ref(), &rows[cand.start..mid], left_gh, &ls, rng),
                l.split_of(rh.as_ref(), &rows[mid..cand.end], right_gh, &rs, rng),
            )
        });
        pending.push(Pending {
            node: ri,
            start: mid,
            end: cand.end,
            depth,
            sum: rs,
            hist: rh,
            split: rsplit,
        });
        pending.push(Pending {
            node: li,
            start: cand.start,
            end: mid,
            depth,
            sum: ls,
            hist: lh,
            split: lsplit,
        });
    }
    Grown {
        tree: Tree { nodes },
        leaves,
        gains,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> TreeParams {
        TreeParams {
            max_leaves: usize::MAX,
            max_depth: 0,
            min_samples_leaf: 1,
            min_hessian: 0.0,
            lambda: 0.0,
            features_per_node: None,
            depth_first: true,
            parallel: false,
        }
    }

    #[test]
    fn fits_a_step_and_sends_nan_the_right_way() {
        // y = 1 when x <= 2, 5 when x > 2, 9 when x is missing.
        let x = [1.0, 2.0, 3.0, 4.0, f64::NAN, 1.5, 3.5, f64::NAN];
        let y = [1.0, 1.0, 5.0, 5.0, 9.0, 1.0, 5.0, 9.0];
        let b = Binned::new(&x, x.len(), 1, 255);
        let g: Vec<f64> = y.iter().map(|v| -v).collect();
        let h = vec![1.0; y.len()];
        // dense histograms, then the sparse search of forests
        let mut sparse = params();
        sparse.features_per_node = Some(1);
        for p in [params(), sparse] {
            let mut rows: Vec<u32> = (0..y.len() as u32).collect();
            let grown = grow(&b, &g, &h, &mut rows, &[0], &p, &mut Rng::new(0, 0));
            for (xi, yi) in x.iter().zip(&y) {
                assert_eq!(grown.tree.predict(&[*xi]), *yi, "{p:?}");
            }
        }
        let mut rows: Vec<u32> = (0..y.len() as u32).collect();
        let grown = grow(&b, &g, &h, &mut rows, &[0], &params(), &mut Rng::new(0, 0));
        for (xi, yi) in x.iter().zip(&y) {
            assert_eq!(grown.tree.predict(&[*xi]), *yi);
        }
        for (r, yr) in y.iter().enumerate() {
            assert_eq!(grown.tree.predict_binned(&b, r), *yr);
        }
        assert_eq!(grown.leaves.len(), 3);
        assert!(grown.gains[0] > 0.0);
    }

    #[test]
    fn respects_leaf_limits() {
        let x: Vec<f64> = (0..100).map(f64::from).collect();
        let g: Vec<f64> = x.iter().map(|v| -v).collect();
        let h = vec![1.0; 100];
        let b = Binned::new(&x, 100, 1, 255);
        let mut p = params();
        p.max_leaves = 4;
        p.depth_first = false;
        p.min_samples_leaf = 10;
        let mut rows: Vec<u32> = (0..100).collect();
        let grown = grow(&b, &g, &h, &mut rows, &[0], &p, &mut Rng::new(0, 0));
        assert_eq!(grown.leaves.len(), 4);
        assert!(grown.leaves.iter().all(|&(_, s, e)| e - s >= 10));
    }

    #[test]
    fn parallel_paths_grow_the_same_tree() {
        // more rows than the parallel histogram and partition thresholds
        let n = 250_000;
        let x: Vec<f64> = (0..n)
            .flat_map(|i| [(i % 97) as f64, ((i * 7) % 13) as f64])
            .collect();
        let g: Vec<f64> = (0..n)
            .map(|i| -(((i % 97) / 10) as f64 + ((i * 7) % 13) as f64))
            .collect();
        let h = vec![1.0; n];
        let b = Binned::new(&x, n, 2, 255);
        let mut p = params();
        p.max_leaves = 16;
        p.depth_first = false;
        let grow_with = |parallel: bool| {
            let mut q = p.clone();
            q.parallel = parallel;
            let mut rows: Vec<u32> = (0..n as u32).collect();
            grow(&b, &g, &h, &mut rows, &[0, 1], &q, &mut Rng::new(0, 0)).tree
        };
        let (a, c) = (grow_with(true), grow_with(false));
        assert_eq!(a.nodes.len(), 31);
        assert_eq!(a, c);
    }

    #[test]
    fn sparse_and_dense_searches_agree() {
        let n = 3000;
        let x: Vec<f64> = (0..n)
            .flat_map(|i| [(i % 7) as f64, ((i * 13) % 29) as f64])
            .collect();
        let g: Vec<f64> = (0..n)
            .map(|i| -(((i % 7) * 3 + (i * 13) % 29 % 5) as f64))
            .collect();
        let h = vec![1.0; n];
        let b = Binned::new(&x, n, 2, 255);
        let mut dense = params();
        dense.min_samples_leaf = 3;
        let mut sparse = dense.clone();
        sparse.features_per_node = Some(2);
        let run = |p: &TreeParams| {
            let mut rows: Vec<u32> = (0..n as u32).collect();
            grow(&b, &g, &h, &mut rows, &[0, 1], p, &mut Rng::new(0, 0)).tree
        };
        let (a, c) = (run(&dense), run(&sparse));
        for r in 0..n {
            let row = &x[2 * r..2 * r + 2];
            assert!((a.predict(row) - c.predict(row)).abs() < 1e-9, "row {r}");
            assert!((a.predict(row) + g[r]).abs() < 1e-9, "row {r}");
        }
    }

    #[test]
    fn sparse_search_with_weights_fits_exactly() {
        let n = 500;
        let x: Vec<f64> = (0..n)
            .flat_map(|i| [(i % 7) as f64, ((i * 13) % 29) as f64])
            .collect();
        let y: Vec<f64> = (0..n)
            .map(|i| ((i % 7) * 3 + (i * 13) % 29 % 5) as f64)
            .collect();
        let w: Vec<f64> = (0..n).map(|i| (i % 3) as f64).collect();
        let g: Vec<f64> = y.iter().zip(&w).map(|(v, w)| -v * w).collect();
        let b = Binned::new(&x, n, 2, 255);
        let mut p = params();
        p.features_per_node = Some(2);
        let mut rows: Vec<u32> = (0..n as u32).filter(|&r| w[r as usize] > 0.0).collect();
        let t = grow(&b, &g, &w, &mut rows, &[0, 1], &p, &mut Rng::new(0, 0)).tree;
        for r in 0..n {
            let row = &x[2 * r..2 * r + 2];
            assert!(
                (t.predict(row) - y[r]).abs() < 1e-9,
                "row {r}: {} vs {}",
                t.predict(row),
                y[r]
            );
        }
    }
}
