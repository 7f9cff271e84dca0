//! Growing one random-forest regression tree (CART, squared error) on finely binned
//! features (`fine_bins.rs`): exact splits at the midpoint between a node's adjacent
//! values, as scikit-learn's, but found from per-node sums over value bins instead of
//! sorting. The tree's sample travels in node order (fixed-size records of a row's bins,
//! target and bootstrap weight, partitioned at every split from one buffer into a second,
//! stably, each row copied once to a slot known from the split's row count), so every
//! pass over a node reads memory sequentially however deep the tree is.
//!
//! Semantics follow scikit-learn's `RandomForestRegressor`: bootstrap counts are row
//! weights; `min_samples_leaf` counts distinct rows; a node is a leaf when it has fewer
//! than `2 · min_samples_leaf` rows or a constant target; `features_per_node` features are
//! drawn at each node, and more, one at a time, while every drawn one is constant there.
//! Missing values (bin 0) go to whichever side gains more.

use super::fine_bins::FineBinned;
use super::rng::Rng;
use super::tree::{Node, Tree};

/// How a forest tree is grown.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestTreeParams {
    /// Minimum distinct rows in a leaf.
    pub min_samples_leaf: usize,
    /// Maximum depth (0: unlimited).
    pub max_depth: usize,
    /// Features drawn at each node.
    pub features_per_node: usize,
}

/// A row's bins inside a sample record: the bins themselves (a fixed-size array, for up
/// to 32 features) or the row's index into the binned matrix (more features).
pub trait RowBins: Copy + Send + Sync {
    /// The bins of row `r` of `fb`.
    fn of(fb: &FineBinned, r: usize) -> Self;
    /// The bin of feature `f`.
    fn bin(&self, fb: &FineBinned, f: usize) -> u16;
}

impl<const N: usize> RowBins for [u16; N] {
    fn of(fb: &FineBinned, r: usize) -> Self {
        let mut a = [0u16; N];
        let row = fb.row(r);
        a[..row.len()].copy_from_slice(row);
        a
    }
    #[inline(always)]
    fn bin(&self, _: &FineBinned, f: usize) -> u16 {
        self[f]
    }
}

impl RowBins for u32 {
    fn of(_: &FineBinned, r: usize) -> Self {
        r as u32
    }
    #[inline(always)]
    fn bin(&self, fb: &FineBinned, f: usize) -> u16 {
        fb.bins[*self as usize * fb.n_features + f]
    }
}

/// One row of a tree's sample: its target, its weight (bootstrap count) and its bins
/// (32 bytes for 9 features).
#[derive(Debug, Clone, Copy)]
pub struct Rec<R> {
    y: f64,
    w: u32,
    bins: R,
}

impl<R> Rec<R> {
    /// Weight and row count packed as `weight << 32 | 1`: one integer addition sums both.
    #[inline(always)]
    fn wc(&self) -> u64 {
        (u64::from(self.w) << 32) | 1
    }
}

/// The rows with a non-zero weight `w[r]` (bootstrap counts), in order, into `out`.
pub fn sample_into<R: RowBins, C: Copy + Into<u32>>(
    fb: &FineBinned,
    y: &[f64],
    w: &[C],
    out: &mut Vec<Rec<R>>,
) {
    out.clear();
    for (r, &c) in w.iter().enumerate() {
        let c: u32 = c.into();
        if c > 0 {
            out.push(Rec {
                y: y[r],
                w: c,
                bins: R::of(fb, r),
            });
        }
    }
}

/// [`sample_into`] a new vector.
pub fn sample<R: RowBins>(fb: &FineBinned, y: &[f64], w: &[u32]) -> Vec<Rec<R>> {
    let mut out = Vec::new();
    sample_into(fb, y, w, &mut out);
    out
}

/// Sums over rows: Σ w·y, Σ w and the number of rows.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Acc {
    s: f64,
    w: f64,
    c: u32,
}

impl Acc {
    fn of(cell: &Cell) -> Acc {
        Acc {
            s: cell.s,
            w: (cell.wc >> 32) as f64,
            c: cell.wc as u32,
        }
    }
    fn add(&mut self, o: &Acc) {
        self.s += o.s;
        self.w += o.w;
        self.c += o.c;
    }
    fn sub(&self, o: &Acc) -> Acc {
        Acc {
            s: self.s - o.s,
            w: self.w - o.w,
            c: self.c - o.c,
        }
    }
    fn score(&self) -> f64 {
        if self.w > 0.0 {
            self.s * self.s / self.w
        } else {
            0.0
        }
    }
}

/// A bin's sums while accumulating: Σ w·y and `Σ w << 32 | rows` (see [`Rec`]).
#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    s: f64,
    wc: u64,
}

#[derive(Debug, Clone, Copy)]
struct Split {
    gain: f64,
    feature: usize,
    bin: usize,
    nan_left: bool,
    /// The node's next non-empty bin above `bin` (0: none, only missing values).
    next: usize,
    /// Rows going left.
    n_left: usize,
}

/// Reusable buffers of a thread growing trees: one cell per bin of every feature (all
/// zero between searches; two per bin, even and odd rows apart, shortened the chains of
/// additions to one cell but measured 8 % slower: twice the cells miss the cache more),
/// each drawn feature's touched bins, and the other buffer the partition writes to.
#[derive(Debug, Default)]
pub struct Scratch<R> {
    offsets: Vec<usize>,
    cells: Vec<Cell>,
    touched: Vec<Vec<u16>>,
    other: Vec<Rec<R>>,
    feats: Vec<usize>,
    /// (feature, first cell, tracks touched bins) of the features being searched
    plan: Vec<(usize, usize, bool)>,
}

impl<R> Scratch<R> {
    /// Empty buffers.
    pub fn new() -> Self {
        Scratch {
            offsets: Vec::new(),
            cells: Vec::new(),
            touched: Vec::new(),
            other: Vec::new(),
            feats: Vec::new(),
            plan: Vec::new(),
        }
    }

    fn prepare(&mut self, fb: &FineBinned) {
        let nf = fb.n_features;
        if self.offsets.len() != nf + 1 {
            self.offsets = vec![0];
            for f in 0..nf {
                let last = self.offsets[f];
                self.offsets.push(last + fb.n_bins(f));
            }
            self.cells = vec![Cell::default(); self.offsets[nf]];
            self.touched = vec![Vec::new(); nf];
        }
    }
}

/// A node waiting to be split: its tree node, rows, depth, sums and whether its target
/// is constant.
struct Pending {
    node: usize,
    start: usize,
    end: usize,
    depth: usize,
    sum: Acc,
    pure: Option<bool>,
    /// Features known to be constant in the node (bit `f`, for the first 64 features).
    constant: u64,
}

/// Whether every row of `recs` has the same target.
fn constant<R>(recs: &[Rec<R>]) -> bool {
    let y0 = recs.first().map_or(0.0, |r| r.y);
    recs.iter().all(|r| r.y == y0)
}

/// Sums and purity of `recs`.
fn sums<R>(recs: &[Rec<R>]) -> (Acc, bool) {
    let mut wc = 0u64;
    let mut s = 0.0;
    let y0 = recs.first().map_or(0.0, |r| r.y);
    let mut pure = true;
    for r in recs {
        s += f64::from(r.w) * r.y;
        wc += r.wc();
        pure &= r.y == y0;
    }
    (Acc::of(&Cell { s, wc }), pure)
}

/// Grow a tree on `recs` (left in no particular order: a node's rows are partitioned
/// from one buffer into the other, `recs` and `scratch`'s, level by level); returns it
/// with its split gains per feature.
pub fn grow_tree<R: RowBins>(
    fb: &FineBinned,
    recs: &mut [Rec<R>],
    p: &ForestTreeParams,
    rng: &mut Rng,
    scratch: &mut Scratch<R>,
) -> (Tree, Vec<f64>) {
    let nf = fb.n_features;
    scratch.prepare(fb);
    let min_leaf = p.min_samples_leaf.max(1);
    let mut nodes = vec![Node::Leaf(0.0)];
    let mut gains = vec![0.0; nf];
    let (sum, pure) = sums(recs);
    // depth first, left child first
    let mut stack = vec![Pending {
        node: 0,
        start: 0,
        end: recs.len(),
        depth: 0,
        sum,
        pure: Some(pure),
        constant: 0,
    }];
    let mut other = std::mem::take(&mut scratch.other);
    if let Some(&r0) = recs.first() {
        if other.len() < recs.len() {
            other.resize(recs.len(), r0);
        }
    }
    while let Some(q) = stack.pop() {
        let sum = q.sum;
        let leaf = Node::Leaf(if sum.w > 0.0 { sum.s / sum.w } else { 0.0 });
        let n = q.end - q.start;
        // a node's rows are in `recs` at even depths, in `other` at odd ones
        let (src, dst) = if q.depth % 2 == 0 {
            (&mut recs[q.start..q.end], &mut other[q.start..q.end])
        } else {
            (&mut other[q.start..q.end], &mut recs[q.start..q.end])
        };
        if n < 2 * min_leaf
            || (p.max_depth > 0 && q.depth >= p.max_depth)
            || q.pure.unwrap_or_else(|| constant(src))
        {
            nodes[q.node] = leaf;
            continue;
        }
        let (found, constant) = search(fb, src, &sum, p, rng, scratch, q.constant);
        let Some(s) = found else {
            nodes[q.node] = leaf;
            continue;
        };
        let n_left = s.n_left;
        if n_left == 0 || n_left >= n {
            nodes[q.node] = leaf;
            continue;
        }
        let ls = partition(fb, src, dst, &s);
        gains[s.feature] += s.gain;
        let li = nodes.len();
        nodes.push(Node::Leaf(0.0));
        nodes.push(Node::Leaf(0.0));
        nodes[q.node] = Node::Split {
            feature: s.feature as u32,
            bin: s.bin.min(255) as u8,
            threshold: fb.threshold_between(s.feature, s.bin, s.next),
            nan_left: s.nan_left,
            left: li as u32,
            right: li as u32 + 1,
        };
        let mid = q.start + n_left;
        stack.push(Pending {
            node: li + 1,
            start: mid,
            end: q.end,
            depth: q.depth + 1,
            sum: sum.sub(&ls),
            pure: None,
            constant,
        });
        stack.push(Pending {
            node: li,
            start: q.start,
            end: mid,
            depth: q.depth + 1,
            sum: ls,
            pure: None,
            constant,
        });
    }
    scratch.other = other;
    (Tree { nodes }, gains)
}

/// The best split of a node's rows over the drawn features (`None`: a leaf), and the
/// features known to be constant in the node: `constant` (known from its ancestors: a
/// feature constant in a node is constant in its descendants, so a drawn one is not
/// searched again, with the same result: no split, no variation) and those found so.
fn search<R: RowBins>(
    fb: &FineBinned,
    recs: &[Rec<R>],
    sum: &Acc,
    p: &ForestTreeParams,
    rng: &mut Rng,
    scratch: &mut Scratch<R>,
    mut constant: u64,
) -> (Option<Split>, u64) {
    let nf = fb.n_features;
    let k = p.features_per_node.clamp(1, nf);
    // `Rng::choose` into a reused buffer (the same draws): no allocation per node
    let mut feats = std::mem::take(&mut scratch.feats);
    feats.clear();
    feats.extend(0..nf);
    if k < nf {
        for i in 0..k {
            let j = i + rng.below(nf - i);
            feats.swap(i, j);
        }
        feats.truncate(k);
        feats.sort_unstable();
    }
    let parent = sum.score();
    let min_leaf = p.min_samples_leaf.max(1) as u32;
    let mut best = None;
    let mut search = |feats: &[usize], constant: &mut u64, best: &mut Option<Split>| {
        search_features(
            fb, recs, feats, sum, parent, min_leaf, scratch, constant, best,
        )
    };
    let mut varies = search(&feats, &mut constant, &mut best);
    if !varies && feats.len() < nf {
        let mut rest: Vec<usize> = (0..nf).filter(|f| !feats.contains(f)).collect();
        while !varies && !rest.is_empty() {
            let f = rest.swap_remove(rng.below(rest.len()));
            varies = search(&[f], &mut constant, &mut best);
        }
    }
    scratch.feats = feats;
    (best, constant)
}

/// Whether `constant` marks feature `f` as constant.
fn known_constant(constant: u64, f: usize) -> bool {
    f < 64 && constant >> f & 1 == 1
}

/// Accumulate the node's rows into the bins of `feats` in one pass, then scan each
/// feature's non-empty bins in increasing order; whether any feature takes more than one
/// bin (NaN included) in the node. Features with few bins for the node's rows are
/// scanned bin by bin; the others remember the bins their rows touch and sort those.
/// Features marked in `constant` are skipped; those found constant are marked.
#[allow(clippy::too_many_arguments)]
fn search_features<R: RowBins>(
    fb: &FineBinned,
    recs: &[Rec<R>],
    feats: &[usize],
    sum: &Acc,
    parent: f64,
    min_leaf: u32,
    scratch: &mut Scratch<R>,
    constant: &mut u64,
    best: &mut Option<Split>,
) -> bool {
    let Scratch {
        offsets,
        cells,
        touched,
        plan,
        ..
    } = scratch;
    let n = recs.len();
    // (feature, first cell, tracks touched bins)
    plan.clear();
    plan.extend(
        feats
            .iter()
            .filter(|&&f| !known_constant(*constant, f))
            .map(|&f| (f, offsets[f], n * 4 < offsets[f + 1] - offsets[f])),
    );
    let plan = &plan[..];
    for &(f, _, sparse) in plan {
        if sparse {
            touched[f].clear();
        }
    }
    // dense features in passes of up to 4, then the sparse ones (the cells of
    // different features are independent: any order gives the same sums)
    for sparse in [false, true] {
        let mut group = [(0usize, 0usize); 4];
        let mut k = 0;
        let mut it = plan.iter().filter(|p| p.2 == sparse).peekable();
        while let Some(&(f, off, _)) = it.next() {
            group[k] = (f, off);
            k += 1;
            if k == group.len() || it.peek().is_none() {
                let g = &group[..k];
                match (k, sparse) {
                    (4, false) => accumulate::<R, 4, false>(fb, recs, g, cells, touched),
                    (3, false) => accumulate::<R, 3, false>(fb, recs, g, cells, touched),
                    (2, false) => accumulate::<R, 2, false>(fb, recs, g, cells, touched),
                    (_, false) => accumulate::<R, 1, false>(fb, recs, g, cells, touched),
                    (4, true) => accumulate::<R, 4, true>(fb, recs, g, cells, touched),
                    (3, true) => accumulate::<R, 3, true>(fb, recs, g, cells, touched),
                    (2, true) => accumulate::<R, 2, true>(fb, recs, g, cells, touched),
                    (_, true) => accumulate::<R, 1, true>(fb, recs, g, cells, touched),
                }
                k = 0;
            }
        }
    }
    // the cell of bin `b` of a feature (first cell `off`), emptied
    let take =
        |cells: &mut [Cell], off: usize, b: usize| Acc::of(&std::mem::take(&mut cells[off + b]));
    let mut varies = false;
    for &(f, off, sparse) in plan {
        let nan = take(cells, off, 0);
        // the feature's non-empty bins, NaN included
        let seen = if sparse {
            let t = &mut touched[f];
            t.sort_unstable();
            t.dedup();
            let it = t
                .iter()
                .filter(|&&b| b != 0)
                .map(|&b| (b as usize, take(cells, off, b as usize)));
            scan(f, it, nan, sum, parent, min_leaf, best);
            t.len()
        } else {
            let mut seen = usize::from(nan.c > 0);
            let it = (1..offsets[f + 1] - off).filter_map(|b| {
                if cells[off + b].wc > 0 {
                    seen += 1;
                    Some((b, take(cells, off, b)))
                } else {
                    None
                }
            });
            scan(f, it, nan, sum, parent, min_leaf, best);
            seen
        };
        varies |= seen > 1;
        if seen <= 1 && f < 64 {
            *constant |= 1 << f;
        }
    }
    varies
}

/// Add the rows of `recs` into the cells of `K` features (`(feature, first cell)`) in
/// one pass, and when `SPARSE`, list each feature's bins as they are first touched.
/// (A pass per group of features of one kind: the features' cells and flags stay in
/// registers.)
#[inline(never)]
fn accumulate<R: RowBins, const K: usize, const SPARSE: bool>(
    fb: &FineBinned,
    recs: &[Rec<R>],
    group: &[(usize, usize)],
    cells: &mut [Cell],
    touched: &mut [Vec<u16>],
) {
    let mut fs = [0usize; K];
    let mut offs = [0usize; K];
    for (j, &(f, off)) in group.iter().enumerate().take(K) {
        fs[j] = f;
        offs[j] = off;
    }
    for r in recs {
        let wy = f64::from(r.w) * r.y;
        let rwc = r.wc();
        for j in 0..K {
            let b = r.bins.bin(fb, fs[j]);
            let c = &mut cells[offs[j] + b as usize];
            if SPARSE && c.wc == 0 {
                touched[fs[j]].push(b);
            }
            c.s += wy;
            c.wc += rwc;
        }
    }
}

/// Scan one feature's non-empty bins in increasing order (`cells`), with the missing
/// values' cell `nan` sent left or right, updating `best`.
fn scan(
    f: usize,
    cells: impl Iterator<Item = (usize, Acc)>,
    nan: Acc,
    sum: &Acc,
    parent: f64,
    min_leaf: u32,
    best: &mut Option<Split>,
) {
    let mut acc = Acc::default();
    // the split set at the previous bin, waiting for its `next` bin
    let mut armed = false;
    let consider = |best: &mut Option<Split>, left: &Acc, b: usize, nan_left: bool| {
        let right = sum.sub(left);
        if left.c < min_leaf || right.c < min_leaf {
            return false;
        }
        let gain = left.score() + right.score() - parent;
        if gain > 1e-12 * parent.abs().max(1.0) && best.is_none_or(|s| gain > s.gain) {
            *best = Some(Split {
                gain,
                feature: f,
                bin: b,
                nan_left,
                next: 0,
                n_left: left.c as usize,
            });
            return true;
        }
        false
    };
    for (b, cell) in cells {
        if armed {
            if let Some(s) = best.as_mut() {
                s.next = b;
            }
            armed = false;
        }
        acc.add(&cell);
        armed |= consider(best, &acc, b, false);
        if nan.c > 0 {
            let mut left = acc;
            left.add(&nan);
            armed |= consider(best, &left, b, true);
        }
    }
}

/// Stable partition of a node's rows `src` by `s` into `dst` (as long): the `s.n_left`
/// left rows first. Returns the left rows' sums. (Not inlined: alone, its sums stay in
/// registers.)
#[inline(never)]
fn partition<R: RowBins>(fb: &FineBinned, src: &[Rec<R>], dst: &mut [Rec<R>], s: &Split) -> Acc {
    let (f, bin, nan_left) = (s.feature, s.bin as u16, s.nan_left);
    let (mut ls, mut lwc) = (0.0f64, 0u64);
    // next slots of the left and the right rows
    let (mut l, mut r) = (0, s.n_left);
    for (i, rec) in src.iter().enumerate() {
        let v = rec.bins.bin(fb, f);
        // bins 1..=bin go left (v - 1 < bin), the missing values' bin 0 as told
        let left = v.wrapping_sub(1) < bin || (v == 0 && nan_left);
        // one whole-record copy to a slot chosen without a branch
        let at = if left { l } else { r };
        dst[at..at + 1].copy_from_slice(&src[i..i + 1]);
        l += usize::from(left);
        r += usize::from(!left);
        // all ones on the left, zero on the right (`ls + 0.0 == ls`: `ls` is never -0.0)
        let m = u64::from(left).wrapping_neg();
        ls += f64::from_bits((f64::from(rec.w) * rec.y).to_bits() & m);
        lwc += rec.wc() & m;
    }
    debug_assert_eq!(l, s.n_left);
    Acc::of(&Cell { s: ls, wc: lwc })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fit(x: &[f64], nf: usize, y: &[f64], w: &[u32], p: &ForestTreeParams) -> Tree {
        let n = y.len();
        let fb = FineBinned::new(x, n, nf, 65535);
        let mut s = sample::<[u16; 4]>(&fb, y, w);
        let t = grow_tree(&fb, &mut s, p, &mut Rng::new(0, 0), &mut Scratch::new()).0;
        // the same tree from records holding row indices instead of bins
        let mut s = sample::<u32>(&fb, y, w);
        let u = grow_tree(&fb, &mut s, p, &mut Rng::new(0, 0), &mut Scratch::new()).0;
        assert_eq!(t, u);
        t
    }

    fn params(min_samples_leaf: usize, k: usize) -> ForestTreeParams {
        ForestTreeParams {
            min_samples_leaf,
            max_depth: 0,
            features_per_node: k,
        }
    }

    #[test]
    fn fits_a_step_with_missing_values_exactly() {
        // y = 1 when x <= 2, 5 when x > 2, 9 when x is missing
        let x = [1.0, 2.0, 3.0, 4.0, f64::NAN, 1.5, 3.5, f64::NAN];
        let y = [1.0, 1.0, 5.0, 5.0, 9.0, 1.0, 5.0, 9.0];
        let t = fit(&x, 1, &y, &[1; 8], &params(1, 1));
        for (xi, yi) in x.iter().zip(&y) {
            assert_eq!(t.predict(&[*xi]), *yi);
        }
        // the threshold is halfway between the node's values 2 and 3
        assert_eq!(t.predict(&[2.49]), 1.0);
        assert_eq!(t.predict(&[2.51]), 5.0);
        assert_eq!(t.nodes.len(), 5);
    }

    #[test]
    fn weighted_rows_and_many_distinct_values_are_fitted_exactly() {
        // 2000 distinct values of x0 (more than 255 bins) and a categorical x1
        let n = 2000;
        let x: Vec<f64> = (0..n)
            .flat_map(|i| [(i * 7919 % n) as f64 / 3.0, (i % 5) as f64])
            .collect();
        let y: Vec<f64> = (0..n)
            .map(|i| ((i * 7919 % n) * 3 + i % 5) as f64)
            .collect();
        let w: Vec<u32> = (0..n).map(|i| (i % 3) as u32).collect();
        let t = fit(&x, 2, &y, &w, &params(1, 1));
        for r in 0..n {
            if w[r] > 0 {
                assert_eq!(t.predict(&x[2 * r..2 * r + 2]), y[r], "row {r}");
            }
        }
    }

    #[test]
    fn leaves_keep_min_samples_leaf_distinct_rows() {
        let n = 500;
        let x: Vec<f64> = (0..n).map(|i| ((i * 37) % n) as f64).collect();
        let y: Vec<f64> = (0..n).map(|i| ((i * 37) % 11) as f64).collect();
        let w: Vec<u32> = (0..n).map(|i| 1 + (i % 4) as u32).collect();
        let fb = FineBinned::new(&x, n, 1, 65535);
        let mut s = sample::<[u16; 4]>(&fb, &y, &w);
        let p = params(5, 1);
        let (t, gains) = grow_tree(&fb, &mut s, &p, &mut Rng::new(1, 2), &mut Scratch::new());
        // count distinct rows per leaf
        let mut per_leaf = std::collections::HashMap::new();
        for &v in &x {
            let leaf = t.predict(&[v]).to_bits();
            *per_leaf.entry(leaf).or_insert(0usize) += 1;
        }
        assert!(t.nodes.len() > 50);
        assert!(gains[0] > 0.0);
        let leaves = t
            .nodes
            .iter()
            .filter(|n| matches!(n, Node::Leaf(_)))
            .count();
        // leaves with equal values merge in the map, so at most `leaves` entries
        assert!(per_leaf.len() <= leaves);
        assert!(per_leaf.values().all(|&c| c >= 5), "{per_leaf:?}");
    }

    #[test]
    fn constant_drawn_features_draw_more() {
        // feature 0 is constant, feature 1 carries the signal; one feature per node
        let n = 200;
        let x: Vec<f64> = (0..n).flat_map(|i| [1.0, (i % 2) as f64]).collect();
        let y: Vec<f64> = (0..n).map(|i| (i % 2) as f64 * 10.0).collect();
        for seed in 0..5 {
            let fb = FineBinned::new(&x, n, 2, 65535);
            let mut s = sample::<[u16; 8]>(&fb, &y, &vec![1; n]);
            let (t, _) = grow_tree(
                &fb,
                &mut s,
                &params(1, 1),
                &mut Rng::new(seed, 0),
                &mut Scratch::new(),
            );
            assert_eq!(t.nodes.len(), 3);
            assert_eq!(t.predict(&[1.0, 1.0]), 10.0);
        }
    }

    #[test]
    fn grouped_accumulation_sums_every_feature_in_row_order() {
        // 7 features (more than a group), a dense and a sparse plan for each, rows with
        // weights: every cell must hold its rows' sums added in row order
        let (n, nf) = (300, 7);
        let x: Vec<f64> = (0..n * nf)
            .map(|i| {
                let (r, f) = (i / nf, i % nf);
                if (r + f) % 17 == 0 {
                    f64::NAN
                } else {
                    ((r * (f + 3)) % (5 + 40 * f)) as f64
                }
            })
            .collect();
        let y: Vec<f64> = (0..n).map(|r| (r % 13) as f64 * 0.1 + 0.05).collect();
        let w: Vec<u32> = (0..n).map(|r| (r % 3) as u32 + 1).collect();
        let fb = FineBinned::new(&x, n, nf, 65535);
        let recs = sample::<[u16; 8]>(&fb, &y, &w);
        let mut scratch = Scratch::<[u16; 8]>::new();
        scratch.prepare(&fb);
        let feats: Vec<usize> = (0..nf).collect();
        for sparse_from in [0, 3, nf] {
            let Scratch {
                offsets,
                cells,
                touched,
                ..
            } = &mut scratch;
            for t in touched.iter_mut() {
                t.clear();
            }
            let group: Vec<(usize, usize)> = feats.iter().map(|&f| (f, offsets[f])).collect();
            for g in group[..sparse_from].chunks(3) {
                match g.len() {
                    3 => accumulate::<_, 3, false>(&fb, &recs, g, cells, touched),
                    2 => accumulate::<_, 2, false>(&fb, &recs, g, cells, touched),
                    _ => accumulate::<_, 1, false>(&fb, &recs, g, cells, touched),
                }
            }
            for g in group[sparse_from..].chunks(4) {
                match g.len() {
                    4 => accumulate::<_, 4, true>(&fb, &recs, g, cells, touched),
                    3 => accumulate::<_, 3, true>(&fb, &recs, g, cells, touched),
                    _ => unreachable!(),
                }
            }
            for f in 0..nf {
                let mut seen = vec![];
                for b in 0..fb.n_bins(f) {
                    let (mut s, mut c, mut wt) = (0.0, 0u64, 0u64);
                    for r in &recs {
                        if r.bins[f] as usize == b {
                            s += f64::from(r.w) * r.y;
                            c += 1;
                            wt += u64::from(r.w);
                        }
                    }
                    let cell = std::mem::take(&mut cells[offsets[f] + b]);
                    assert_eq!(cell.s.to_bits(), s.to_bits(), "feature {f} bin {b}");
                    assert_eq!(cell.wc, wt << 32 | c);
                    if c > 0 {
                        seen.push(b as u16);
                    }
                }
                if f >= sparse_from {
                    let mut t = touched[f].clone();
                    t.sort_unstable();
                    assert_eq!(t, seen, "feature {f}");
                }
            }
        }
    }

    #[test]
    fn partition_is_stable_and_sums_the_left_rows() {
        let n = 50;
        let x: Vec<f64> = (0..n)
            .map(|i| if i % 7 == 0 { f64::NAN } else { (i % 9) as f64 })
            .collect();
        let y: Vec<f64> = (0..n).map(|i| i as f64 - 20.0).collect();
        let w: Vec<u32> = (0..n).map(|i| (i % 4) as u32).collect();
        let fb = FineBinned::new(&x, n, 1, 65535);
        let src = sample::<[u16; 2]>(&fb, &y, &w);
        for (bin, nan_left) in [(3, false), (3, true), (1, true), (8, false)] {
            let goes_left = |r: &Rec<[u16; 2]>| {
                let v = r.bins[0] as usize;
                if v == 0 {
                    nan_left
                } else {
                    v <= bin
                }
            };
            let left: Vec<f64> = src.iter().filter(|r| goes_left(r)).map(|r| r.y).collect();
            let right: Vec<f64> = src.iter().filter(|r| !goes_left(r)).map(|r| r.y).collect();
            let s = Split {
                gain: 1.0,
                feature: 0,
                bin,
                nan_left,
                next: 0,
                n_left: left.len(),
            };
            let mut dst = src.clone();
            let ls = partition(&fb, &src, &mut dst, &s);
            let ys: Vec<f64> = dst.iter().map(|r| r.y).collect();
            assert_eq!(ys[..left.len()], left[..]);
            assert_eq!(ys[left.len()..], right[..]);
            let mut expect = 0.0;
            for r in src.iter().filter(|r| goes_left(r)) {
                expect += f64::from(r.w) * r.y;
            }
            assert_eq!(ls.s.to_bits(), expect.to_bits());
            assert_eq!(ls.c as usize, left.len());
            let wl: u32 = src.iter().filter(|r| goes_left(r)).map(|r| r.w).sum();
            assert_eq!(ls.w, f64::from(wl));
        }
    }

    #[test]
    fn known_constant_features_are_skipped_with_the_same_result() {
        // feature 0 constant, 1 and 3 varying, 2 all missing; two features per node
        let n = 120;
        let x: Vec<f64> = (0..n)
            .flat_map(|i| [4.0, (i % 10) as f64, f64::NAN, (i % 3) as f64])
            .collect();
        let y: Vec<f64> = (0..n).map(|i| (i % 10) as f64 + (i % 3) as f64).collect();
        let fb = FineBinned::new(&x, n, 4, 65535);
        let recs = sample::<[u16; 4]>(&fb, &y, &vec![1; n]);
        let (sum, _) = sums(&recs);
        let p = params(1, 2);
        for seed in 0..20 {
            let (mut a, mut b) = (Rng::new(seed, 1), Rng::new(seed, 1));
            let mut scratch = Scratch::new();
            scratch.prepare(&fb);
            let (sa, ca) = search(&fb, &recs, &sum, &p, &mut a, &mut scratch, 0);
            let (sb, cb) = search(&fb, &recs, &sum, &p, &mut b, &mut scratch, 0b101);
            let key = |s: Option<Split>| s.map(|s| (s.gain.to_bits(), s.feature, s.bin, s.n_left));
            assert_eq!(key(sa), key(sb), "seed {seed}");
            assert!(sa.is_some());
            // the same draws, and what was found constant is marked
            assert_eq!(a.next_u64(), b.next_u64());
            assert_eq!(ca & !0b101, 0);
            assert_eq!(cb, 0b101);
        }
    }
}
