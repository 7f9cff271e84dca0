//! Growing one gradient-boosting regression tree (LightGBM-style, written natively:
//! linfa-trees 0.8 only has classification trees). Best-first up to `max_leaves`: the
//! pending leaf whose best split gains most is split next. Splits come from histograms of
//! (Σg, Σh, rows) per feature bin, with missing values (bin 0) sent to whichever side
//! gains more; gain is `G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)`.
//!
//! The tree's sample travels in node order as fixed-size records (a row's gradient,
//! hessian and its bins that are not their feature's most frequent, see `SparseRows`),
//! with the row indices beside them, partitioned at every split into a second buffer, so every
//! histogram pass reads memory sequentially however scattered a node's rows are (reading
//! a deep node's rows through an index list was a cache miss per row: 45 ns against 10).
//! The smaller child's histogram is built from its records, the larger one's by
//! subtraction from the parent's; each feature's most frequent cell is the node's total
//! minus the feature's other cells. Work is split into parts sized by the node alone, so
//! the trees are the same for any number of threads.

use super::histogram::Binned;
use super::tree::{Node, Tree};
use crate::parallel;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};

/// Nanoseconds spent building histograms, searching splits and partitioning records,
/// then the records histograms and partitions visited (read by `SHELFCAST_PROFILE`
/// diagnostics).
pub static PROFILE_NS: [AtomicU64; 5] = [
    AtomicU64::new(0),
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

/// Nodes with more records than this build their histograms in parts (up to 8, of at
/// least half this many records), in parallel.
const PARALLEL_HIST: usize = 8_000;

/// Nodes with more records than this are partitioned in parts (up to 8, of at least
/// half this many records), in parallel.
const PARALLEL_PARTITION: usize = 8_192;

/// How a tree is grown.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeParams {
    /// Maximum number of leaves.
    pub max_leaves: usize,
    /// Maximum depth (0: unlimited).
    pub max_depth: usize,
    /// Minimum rows in a leaf.
    pub min_samples_leaf: usize,
    /// Minimum sum of hessians in a leaf.
    pub min_hessian: f64,
    /// L2 regularisation of leaf values.
    pub lambda: f64,
    /// Run big nodes' parts in parallel (the same parts, and trees, either way).
    pub parallel: bool,
}

/// Where a record finds its row's histogram cells.
pub trait RowCells: Copy + Send + Sync {
    /// Placeholder contents of a buffer before records are written.
    const EMPTY: Self;
    /// The cells of row `r` of `b`.
    fn of(b: &Binned, r: usize) -> Self;
    /// Call `add` with every histogram cell of the record's row `row`.
    fn each(&self, b: &Binned, row: u32, add: impl FnMut(usize));
}

/// The row's uncommon cells inside the record as 16-bit histogram cell numbers
/// (`b.sparse` must exist and `K` be at least the number of features): the layout for 17
/// to 57 features ([`Packed`] below that).
#[derive(Debug, Clone, Copy)]
pub struct Inline<const K: usize> {
    n: u16,
    cells: [u16; K],
}

impl<const K: usize> RowCells for Inline<K> {
    const EMPTY: Self = Inline {
        n: 0,
        cells: [0; K],
    };
    fn of(b: &Binned, r: usize) -> Self {
        let mut out = Self::EMPTY;
        if let Some(sp) = &b.sparse {
            let s = &sp.cells[sp.starts[r] as usize..sp.starts[r + 1] as usize];
            out.cells[..s.len()].copy_from_slice(s);
            out.n = s.len() as u16;
        }
        out
    }
    #[inline(always)]
    fn each(&self, _: &Binned, _: u32, mut add: impl FnMut(usize)) {
        for &k in &self.cells[..usize::from(self.n)] {
            add(usize::from(k));
        }
    }
}

/// The row's uncommon bins packed inside the record, for up to `K <= 16` features: a
/// bit per feature whose bin is not its most frequent one, and those bins in feature
/// order (`b.sparse` must exist). 20-byte records up to 10 features: every split moves
/// its node's records, and with two cores sharing memory bandwidth the partition's bytes
/// are its time (with 28-byte [`Inline`] records the partition took 1.85-1.89 s against
/// 1.54-1.71 s, 40 trees on one thread).
#[derive(Debug, Clone, Copy)]
pub struct Packed<const K: usize> {
    mask: u16,
    bins: [u8; K],
}

impl<const K: usize> RowCells for Packed<K> {
    const EMPTY: Self = Packed {
        mask: 0,
        bins: [0; K],
    };
    fn of(b: &Binned, r: usize) -> Self {
        let mut out = Self::EMPTY;
        if let Some(sp) = &b.sparse {
            let mut i = 0;
            for (f, (col, &common)) in b.cols.iter().zip(&sp.common).enumerate().take(K.min(16)) {
                if col[r] != common {
                    out.mask |= 1 << f;
                    out.bins[i] = col[r];
                    i += 1;
                }
            }
        }
        out
    }
    #[inline(always)]
    fn each(&self, b: &Binned, _: u32, mut add: impl FnMut(usize)) {
        let mut m = self.mask;
        for &bin in &self.bins {
            if m == 0 {
                break;
            }
            let f = m.trailing_zeros() as usize;
            add(b.offsets[f] + usize::from(bin));
            m &= m - 1;
        }
    }
}

/// The row's cells read from the binned matrix by row index (many features, or cells that
/// do not fit 16 bits): slower, same sums.
#[derive(Debug, Clone, Copy)]
pub struct ByRow;

impl RowCells for ByRow {
    const EMPTY: Self = ByRow;
    fn of(_: &Binned, _: usize) -> Self {
        ByRow
    }
    #[inline(always)]
    fn each(&self, b: &Binned, row: u32, mut add: impl FnMut(usize)) {
        let r = row as usize;
        match &b.sparse {
            Some(sp) => {
                for &k in &sp.cells[sp.starts[r] as usize..sp.starts[r + 1] as usize] {
                    add(usize::from(k));
                }
            }
            None => {
                for (col, &o) in b.cols.iter().zip(&b.offsets) {
                    add(o + usize::from(col[r]));
                }
            }
        }
    }
}

/// One row of a tree's sample: gradient, hessian and cells (its row index travels
/// beside it, in [`Sample::rows`]).
#[derive(Debug, Clone, Copy)]
#[repr(C)]
pub struct Rec<C> {
    /// Gradient.
    pub g: f32,
    /// Hessian.
    pub h: f32,
    cells: C,
}

/// A tree's sample in node order: records and their rows in two buffers each (a split
/// moves a node's records from one to the other), and scratch.
#[derive(Debug, Clone)]
pub struct Sample<C> {
    /// Records; `recs[0]` holds the root's before growing.
    pub recs: [Vec<Rec<C>>; 2],
    /// The records' row indices, in the same places.
    pub rows: [Vec<u32>; 2],
    flags: Vec<bool>,
}

impl<C> Default for Sample<C> {
    fn default() -> Self {
        Sample {
            recs: [Vec::new(), Vec::new()],
            rows: [Vec::new(), Vec::new()],
            flags: Vec::new(),
        }
    }
}

impl<C> Sample<C> {
    /// The rows of leaf `l`.
    pub fn rows_of(&self, l: &Leaf) -> &[u32] {
        &self.rows[l.buf][l.start..l.end]
    }
}

impl<C: RowCells> Rec<C> {
    /// Placeholder record.
    pub const EMPTY: Self = Rec {
        g: 0.0,
        h: 0.0,
        cells: C::EMPTY,
    };

    /// The record of row `r` of `b` with gradient `g` and hessian `h`.
    #[inline]
    pub fn new(b: &Binned, r: usize, g: f32, h: f32) -> Self {
        Self::with(g, h, C::of(b, r))
    }

    /// The record of a row whose cells are `cells`.
    #[inline(always)]
    pub fn with(g: f32, h: f32, cells: C) -> Self {
        Rec { g, h, cells }
    }
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

/// A flat histogram cell: (Σg, Σh, rows). Rows are counted exactly (LightGBM estimates
/// them as `Σh · n / H`, which on this project's Tweedie benchmark cost 2 % MAE).
type HCell = [f64; 3];

#[derive(Debug, Clone, Copy)]
struct Split {
    gain: f64,
    feature: usize,
    bin: u8,
    nan_left: bool,
}

/// A leaf of a grown tree: its node and its records, `bufs[buf][start..end]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Leaf {
    /// Node index in the tree.
    pub node: usize,
    /// Which of the two record buffers holds its records.
    pub buf: usize,
    /// First record.
    pub start: usize,
    /// One past the last record.
    pub end: usize,
}

/// A grown tree with its leaves' records and split gains.
#[derive(Debug, Clone)]
pub struct Grown {
    /// The tree (leaf values `−G/(H+λ)`).
    pub tree: Tree,
    /// Every leaf's records.
    pub leaves: Vec<Leaf>,
    /// Total gain per feature.
    pub gains: Vec<f64>,
}

struct Pending {
    node: usize,
    buf: usize,
    start: usize,
    end: usize,
    depth: usize,
    sum: Cell,
    hist: Option<Vec<HCell>>,
    split: Option<Split>,
}

struct Grower<'a> {
    b: &'a Binned,
    allowed: &'a [usize],
    p: &'a TreeParams,
}

impl Grower<'_> {
    fn score(&self, c: &Cell) -> f64 {
        c.g * c.g / (c.h + self.p.lambda)
    }

    fn ok(&self, c: &Cell) -> bool {
        c.c as usize >= self.p.min_samples_leaf && c.h >= self.p.min_hessian
    }

    fn leaf_value(&self, c: &Cell) -> f64 {
        if c.h + self.p.lambda > 0.0 {
            -c.g / (c.h + self.p.lambda)
        } else {
            0.0
        }
    }

    /// Whether a node of `rows` rows at `depth` may be split at all.
    fn splittable(&self, rows: usize, depth: usize) -> bool {
        rows >= 2 * self.p.min_samples_leaf.max(1)
            && (self.p.max_depth == 0 || depth < self.p.max_depth)
    }

    /// The histogram of `recs` and their total, in parts sized by the node (see
    /// [`PARALLEL_HIST`]) summed in order.
    fn hist<C: RowCells>(
        &self,
        recs: &[Rec<C>],
        rows: &[u32],
        pool: &mut Vec<Vec<HCell>>,
    ) -> (Vec<HCell>, Cell) {
        PROFILE_NS[3].fetch_add(recs.len() as u64, Ordering::Relaxed);
        let b = self.b;
        let total = b.offsets[b.n_features()];
        let one = |(part, part_rows): (&[Rec<C>], &[u32]), mut hist: Vec<HCell>| {
            hist.clear();
            hist.resize(total, [0.0; 3]);
            let (mut sg, mut sh) = (0.0, 0.0);
            for (r, &row) in part.iter().zip(part_rows) {
                let (g, h) = (f64::from(r.g), f64::from(r.h));
                sg += g;
                sh += h;
                r.cells.each(b, row, |k| {
                    let c = &mut hist[k];
                    c[0] += g;
                    c[1] += h;
                    c[2] += 1.0;
                });
            }
            let sum = Cell {
                g: sg,
                h: sh,
                c: part.len() as u32,
            };
            (hist, sum)
        };
        let chunk = if recs.len() > PARALLEL_HIST {
            recs.len().div_ceil(8).max(PARALLEL_HIST / 2)
        } else {
            recs.len().max(1)
        };
        let n_parts = recs.len().div_ceil(chunk).max(1);
        let mut bufs: Vec<Vec<HCell>> = Vec::with_capacity(n_parts);
        bufs.resize_with(n_parts, || pool.pop().unwrap_or_default());
        let parts: Vec<(Vec<HCell>, Cell)> = if self.p.parallel && n_parts > 1 {
            parallel::install(|| {
                recs.par_chunks(chunk)
                    .zip(rows.par_chunks(chunk))
                    .zip(bufs.into_par_iter())
                    .map(|(c, buf)| one(c, buf))
                    .collect()
            })
        } else if recs.is_empty() {
            bufs.into_iter().map(|buf| one((&[], &[]), buf)).collect()
        } else {
            recs.chunks(chunk)
                .zip(rows.chunks(chunk))
                .zip(bufs)
                .map(|(c, buf)| one(c, buf))
                .collect()
        };
        let mut parts = parts.into_iter();
        let (mut hist, mut sum) = parts.next().unwrap_or_default();
        for (h, s) in parts {
            hist.iter_mut().zip(&h).for_each(|(x, y)| {
                x[0] += y[0];
                x[1] += y[1];
                x[2] += y[2];
            });
            sum.add(&s);
            pool.push(h);
        }
        if let Some(sp) = &b.sparse {
            // the rows of each feature's most frequent bin were not visited: their cell is
            // the total minus the feature's other cells
            for f in 0..b.n_features() {
                let (lo, hi) = (b.offsets[f], b.offsets[f + 1]);
                let m = lo + usize::from(sp.common[f]);
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
        }
        (hist, sum)
    }

    /// The total of `recs` (nodes that need no histogram).
    fn total<C>(recs: &[Rec<C>]) -> Cell {
        let mut sum = Cell::default();
        for r in recs {
            sum.g += f64::from(r.g);
            sum.h += f64::from(r.h);
        }
        sum.c = recs.len() as u32;
        sum
    }

    /// The best split of a node with histogram `hist` and total `sum` over the allowed
    /// features (`None`: it is a leaf).
    fn best_split(&self, hist: Option<&Vec<HCell>>, sum: &Cell) -> Option<Split> {
        let hist = hist?;
        let parent = self.score(sum);
        let cell = |&[g, h, c]: &HCell| Cell {
            g,
            h,
            c: c.round() as u32,
        };
        let mut best = None;
        for &f in self.allowed {
            let hf = &hist[self.b.offsets[f]..self.b.offsets[f + 1]];
            let cells = hf.iter().map(cell).enumerate().skip(1);
            self.scan(f, cells, cell(&hf[0]), sum, parent, &mut best);
        }
        best
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
}

/// One part of a partition: its records, their rows and sides, and where each side goes.
struct Move<'s, C> {
    part: &'s [Rec<C>],
    part_rows: &'s [u32],
    fl: &'s [bool],
    left: (&'s mut [Rec<C>], &'s mut [u32]),
    right: (&'s mut [Rec<C>], &'s mut [u32]),
}

/// Stable partition of `src` (records and their rows) into `dst` (same lengths): the
/// records whose row's bin in `col` goes left (`lut`) first. Two passes over parts of
/// a size that depends on the node alone (parallel when `parallel`): each part marks and counts its
/// left records (reading only the rows), then writes both sides at its offsets. Returns
/// the number of left records.
fn partition<C: RowCells>(
    src: (&[Rec<C>], &[u32]),
    dst: (&mut [Rec<C>], &mut [u32]),
    flags: &mut [bool],
    col: &[u8],
    lut: &[bool; 256],
    parallel: bool,
) -> usize {
    let count = |(part, fl): (&[u32], &mut [bool])| {
        let mut n = 0;
        for (&r, f) in part.iter().zip(fl.iter_mut()) {
            let left = lut[usize::from(col[r as usize])];
            *f = left;
            n += usize::from(left);
        }
        n
    };
    let (src, src_rows) = src;
    let part = if src.len() > PARALLEL_PARTITION {
        src.len().div_ceil(8).max(PARALLEL_PARTITION / 2)
    } else {
        src.len().max(1)
    };
    let n_parts = src.len().div_ceil(part);
    let counts: Vec<usize> = if parallel && n_parts > 1 {
        parallel::install(|| {
            src_rows
                .par_chunks(part)
                .zip(flags.par_chunks_mut(part))
                .map(count)
                .collect()
        })
    } else {
        src_rows
            .chunks(part)
            .zip(flags.chunks_mut(part))
            .map(count)
            .collect()
    };
    let n_left: usize = counts.iter().sum();
    // every part's destinations: disjoint slices of both sides, in order
    let (dst, dst_rows) = dst;
    let (mut lrest, mut rrest) = dst.split_at_mut(n_left);
    let (mut lrows, mut rrows) = dst_rows.split_at_mut(n_left);
    let mut moves = Vec::with_capacity(n_parts);
    for (((part, part_rows), fl), &nl) in src
        .chunks(part)
        .zip(src_rows.chunks(part))
        .zip(flags.chunks(part))
        .zip(&counts)
    {
        let nr = part.len() - nl;
        let (l, lr) = std::mem::take(&mut lrest).split_at_mut(nl);
        let (r, rr) = std::mem::take(&mut rrest).split_at_mut(nr);
        (lrest, rrest) = (lr, rr);
        let (lw, lwr) = std::mem::take(&mut lrows).split_at_mut(nl);
        let (rw, rwr) = std::mem::take(&mut rrows).split_at_mut(nr);
        (lrows, rrows) = (lwr, rwr);
        moves.push(Move {
            part,
            part_rows,
            fl,
            left: (l, lw),
            right: (r, rw),
        });
    }
    let write = |m: Move<C>| {
        let (part, part_rows, fl) = (m.part, m.part_rows, m.fl);
        let ((l, lw), (r, rw)) = (m.left, m.right);
        let (mut i, mut j) = (0, 0);
        for ((rec, &row), &left) in part.iter().zip(part_rows).zip(fl) {
            if left {
                l[i] = *rec;
                lw[i] = row;
                i += 1;
            } else {
                r[j] = *rec;
                rw[j] = row;
                j += 1;
            }
        }
    };
    if parallel && n_parts > 1 {
        parallel::install(|| moves.into_par_iter().for_each(write));
    } else {
        moves.into_iter().for_each(write);
    }
    n_left
}

/// Grow one tree on the records `sample.recs[0]` of rows `sample.rows[0]` (their order
/// is kept as the root's; the other buffers are scratch of any contents, resized here)
/// using only the `allowed` features.
pub fn grow<C: RowCells>(
    b: &Binned,
    sample: &mut Sample<C>,
    allowed: &[usize],
    p: &TreeParams,
) -> Grown {
    let g = Grower { b, allowed, p };
    let n = sample.recs[0].len();
    sample.recs[1].resize(n, Rec::EMPTY);
    sample.rows[1].resize(n, 0);
    sample.flags.resize(n, false);
    let mut nodes = vec![Node::Leaf(0.0)];
    let mut gains = vec![0.0; b.n_features()];
    let mut leaves = Vec::new();
    // histogram buffers of finished nodes, reused (fresh ones would be new zeroed pages)
    let mut pool: Vec<Vec<HCell>> = Vec::new();
    let (hist, sum) = if g.splittable(n, 0) && p.max_leaves > 1 {
        let (h, s) = timed(0, || g.hist(&sample.recs[0], &sample.rows[0], &mut pool));
        (Some(h), s)
    } else {
        (None, Grower::total(&sample.recs[0]))
    };
    let split = timed(1, || g.best_split(hist.as_ref(), &sum));
    let mut pending = vec![Pending {
        node: 0,
        buf: 0,
        start: 0,
        end: n,
        depth: 0,
        sum,
        hist,
        split,
    }];
    let mut n_leaves = 1usize;
    let leaf_of = |q: &Pending| Leaf {
        node: q.node,
        buf: q.buf,
        start: q.start,
        end: q.end,
    };
    // best-first: the pending leaf with the largest gain (unsplittable ones last)
    while let Some(i) = (0..pending.len()).max_by(|&a, &c| {
        let ga = pending[a].split.map_or(f64::NEG_INFINITY, |s| s.gain);
        let gc = pending[c].split.map_or(f64::NEG_INFINITY, |s| s.gain);
        ga.total_cmp(&gc)
    }) {
        let mut cand = pending.swap_remove(i);
        let Some(s) = cand.split.filter(|_| n_leaves < p.max_leaves) else {
            // the best gain is unusable, so every other leaf is final too
            for q in std::iter::once(&cand).chain(&pending) {
                nodes[q.node] = Node::Leaf(g.leaf_value(&q.sum));
                leaves.push(leaf_of(q));
            }
            pending.clear();
            break;
        };
        // which bins go left, as a table: the partition's test is one load, no branch
        let mut lut = [false; 256];
        for (v, l) in lut.iter_mut().enumerate() {
            *l = if v == 0 {
                s.nan_left
            } else {
                v <= usize::from(s.bin)
            };
        }
        let (from, to) = (cand.buf, 1 - cand.buf);
        let Sample { recs, rows, flags } = &mut *sample;
        let ([r0, r1], [w0, w1]) = (recs, rows);
        let ((src, src_rows), (dst, dst_rows)) = if from == 0 {
            ((&*r0, &*w0), (r1, w1))
        } else {
            ((&*r1, &*w1), (r0, w0))
        };
        let range = cand.start..cand.end;
        PROFILE_NS[4].fetch_add(range.len() as u64, Ordering::Relaxed);
        let n_left = timed(2, || {
            partition(
                (&src[range.clone()], &src_rows[range.clone()]),
                (&mut dst[range.clone()], &mut dst_rows[range.clone()]),
                &mut flags[range.clone()],
                &b.cols[s.feature],
                &lut,
                p.parallel,
            )
        });
        let mid = cand.start + n_left;
        if n_left == 0 || mid == cand.end {
            // cannot happen with exact counts; never loop on an identical child
            nodes[cand.node] = Node::Leaf(g.leaf_value(&cand.sum));
            leaves.push(leaf_of(&cand));
            pool.extend(cand.hist.take());
            continue;
        }
        let depth = cand.depth + 1;
        let (recs, rows) = (&sample.recs[to], &sample.rows[to]);
        let small_is_left = mid - cand.start <= cand.end - mid;
        let (small, large) = if small_is_left {
            (cand.start..mid, mid..cand.end)
        } else {
            (mid..cand.end, cand.start..mid)
        };
        // Histograms for both children when the larger one may split: the smaller child's
        // from its records (with their total), the larger one's by subtraction.
        let (sh, lh, ss) = match cand.hist.take() {
            Some(mut ph) if g.splittable(large.len(), depth) => {
                let (sh, ss) = timed(0, || g.hist(&recs[small.clone()], &rows[small], &mut pool));
                ph.iter_mut().zip(&sh).for_each(|(a, c)| {
                    a[0] -= c[0];
                    a[1] -= c[1];
                    a[2] -= c[2];
                });
                (Some(sh), Some(ph), ss)
            }
            other => {
                pool.extend(other);
                (None, None, Grower::total(&recs[small]))
            }
        };
        let ls = cand.sum.sub(&ss);
        let (lh, rh, ls, rs) = if small_is_left {
            (sh, lh, ss, ls)
        } else {
            (lh, sh, ls, ss)
        };
        // a child that may not split needs no search (its histogram only served the other)
        let search = |h: Option<Vec<HCell>>, c: &Cell, pool: &mut Vec<Vec<HCell>>| {
            if g.splittable(c.c as usize, depth) {
                let s = timed(1, || g.best_split(h.as_ref(), c));
                (h, s)
            } else {
                pool.extend(h);
                (None, None)
            }
        };
        let (lh, lsplit) = search(lh, &ls, &mut pool);
        let (rh, rsplit) = search(rh, &rs, &mut pool);
        gains[s.feature] += s.gain;
        let (li, ri) = (nodes.len(), nodes.len() + 1);
        nodes.push(Node::Leaf(0.0));
        nodes.push(Node::Leaf(0.0));
        nodes[cand.node] = Node::Split {
            feature: s.feature as u32,
            bin: s.bin,
            threshold: b.mappers[s.feature].threshold(usize::from(s.bin)),
            nan_left: s.nan_left,
            left: li as u32,
            right: ri as u32,
        };
        n_leaves += 1;
        pending.push(Pending {
            node: ri,
            buf: to,
            start: mid,
            end: cand.end,
            depth,
            sum: rs,
            hist: rh,
            split: rsplit,
        });
        pending.push(Pending {
            node: li,
            buf: to,
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
            parallel: false,
        }
    }

    /// The sample of every row of `b` with gradients `g` and hessians `h`.
    fn sample<C: RowCells>(b: &Binned, g: &[f64], h: &[f64]) -> Sample<C> {
        let mut s = Sample::default();
        s.recs[0] = (0..g.len())
            .map(|r| Rec::new(b, r, g[r] as f32, h[r] as f32))
            .collect();
        s.rows[0] = (0..g.len() as u32).collect();
        s
    }

    fn grow_on<C: RowCells>(b: &Binned, g: &[f64], h: &[f64], p: &TreeParams) -> Grown {
        let allowed: Vec<usize> = (0..b.n_features()).collect();
        grow(b, &mut sample::<C>(b, g, h), &allowed, p)
    }

    #[test]
    fn packed_records_are_20_bytes_up_to_10_features() {
        assert_eq!(std::mem::size_of::<Rec<Packed<10>>>(), 20);
        assert_eq!(std::mem::size_of::<Rec<Packed<16>>>(), 28);
    }

    #[test]
    fn inline_records_are_28_bytes_for_9_cells() {
        assert_eq!(std::mem::size_of::<Rec<Inline<9>>>(), 28);
        assert_eq!(std::mem::size_of::<Rec<Inline<25>>>(), 60);
    }

    #[test]
    fn fits_a_step_and_sends_nan_the_right_way() {
        // y = 1 when x <= 2, 5 when x > 2, 9 when x is missing.
        let x = [1.0, 2.0, 3.0, 4.0, f64::NAN, 1.5, 3.5, f64::NAN];
        let y = [1.0, 1.0, 5.0, 5.0, 9.0, 1.0, 5.0, 9.0];
        let b = Binned::new(&x, x.len(), 1, 255);
        let g: Vec<f64> = y.iter().map(|v| -v).collect();
        let h = vec![1.0; y.len()];
        let grown = grow_on::<Packed<10>>(&b, &g, &h, &params());
        for (xi, yi) in x.iter().zip(&y) {
            assert_eq!(grown.tree.predict(&[*xi]), *yi);
        }
        for (r, yr) in y.iter().enumerate() {
            assert_eq!(
                grown.tree.nodes[grown.tree.leaf_binned(&b, r)],
                Node::Leaf(*yr)
            );
        }
        assert_eq!(grown.leaves.len(), 3);
        assert!(grown.gains[0] > 0.0);
        // every leaf's records are the rows the tree sends there
        let bufs_rows = |l: &Leaf| l.end - l.start;
        assert_eq!(grown.leaves.iter().map(bufs_rows).sum::<usize>(), x.len());
    }

    #[test]
    fn respects_leaf_and_depth_limits() {
        let x: Vec<f64> = (0..100).map(f64::from).collect();
        let g: Vec<f64> = x.iter().map(|v| -v).collect();
        let h = vec![1.0; 100];
        let b = Binned::new(&x, 100, 1, 255);
        let mut p = params();
        p.max_leaves = 4;
        p.min_samples_leaf = 10;
        let grown = grow_on::<Packed<10>>(&b, &g, &h, &p);
        assert_eq!(grown.leaves.len(), 4);
        assert!(grown.leaves.iter().all(|l| l.end - l.start >= 10));
        p.max_leaves = usize::MAX;
        p.max_depth = 2;
        let grown = grow_on::<Packed<10>>(&b, &g, &h, &p);
        assert_eq!(grown.leaves.len(), 4);
        p.max_depth = 0;
        let grown = grow_on::<Packed<10>>(&b, &g, &h, &p);
        assert!(grown.leaves.iter().all(|l| l.end - l.start >= 10));
        assert!(grown.leaves.len() > 4);
    }

    /// 70 000 rows, 4 features: mostly zero (with NaNs), a calendar-like cycle whose most
    /// frequent bin is not the first, a continuous one, a constant one; integer gradients
    /// (every sum exact in any order).
    fn data() -> (Vec<f64>, Binned, Vec<f64>, Vec<f64>) {
        let n = 70_000;
        let mut x = Vec::with_capacity(n * 4);
        for i in 0..n {
            let zero = if i % 7 < 6 { 0.0 } else { (i % 13) as f64 };
            let lag = if i % 101 == 0 { f64::NAN } else { zero };
            let cyc = [3.0, 5.0, 5.0, 5.0, 1.0][i % 5];
            x.extend([lag, cyc, ((i * 7919) % 1000) as f64 / 10.0, 2.0]);
        }
        let b = Binned::new(&x, n, 4, 255);
        let g: Vec<f64> = (0..n)
            .map(|i| ((i * 31) % 17) as f64 - 8.0 + (i % 13 % 5) as f64 * 3.0)
            .collect();
        let h: Vec<f64> = (0..n).map(|i| 1.0 + (i % 3) as f64).collect();
        (x, b, g, h)
    }

    #[test]
    fn skipping_the_most_frequent_bins_gives_the_full_histogram() {
        let (_, b, g, h) = data();
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
            let mut p = params();
            p.parallel = parallel;
            let on = |b| Grower {
                b,
                allowed: &allowed,
                p: &p,
            };
            // all rows, then a scattered subset (a child node)
            for keep in [1, 3] {
                let rows: Vec<usize> = (0..g.len()).filter(|r| r % keep == 0).collect();
                let inline: Vec<Rec<Inline<9>>> = rows
                    .iter()
                    .map(|&r| Rec::new(&b, r, g[r] as f32, h[r] as f32))
                    .collect();
                let packed: Vec<Rec<Packed<10>>> = rows
                    .iter()
                    .map(|&r| Rec::new(&b, r, g[r] as f32, h[r] as f32))
                    .collect();
                let by_row: Vec<Rec<ByRow>> = rows
                    .iter()
                    .map(|&r| Rec::new(&b, r, g[r] as f32, h[r] as f32))
                    .collect();
                let rows: Vec<u32> = rows.iter().map(|&r| r as u32).collect();
                let (a, at) = on(&b).hist(&inline, &rows, &mut Vec::new());
                let (d, dt) = on(&dense_b).hist(&by_row, &rows, &mut Vec::new());
                let (s, st) = on(&b).hist(&by_row, &rows, &mut Vec::new());
                let (k, kt) = on(&b).hist(&packed, &rows, &mut Vec::new());
                // the dense histogram, by brute force
                let mut want = vec![[0.0; 3]; b.offsets[4]];
                for &r in &rows {
                    let r = r as usize;
                    for f in 0..4 {
                        let c = &mut want[b.offsets[f] + usize::from(b.cols[f][r])];
                        c[0] += g[r];
                        c[1] += h[r];
                        c[2] += 1.0;
                    }
                }
                for (t, got) in [(at, &a), (dt, &d), (st, &s), (kt, &k)] {
                    assert_eq!(t.c as usize, rows.len());
                    assert_eq!(got, &want);
                }
            }
        }
        // the same trees from inline cells, cells by row, and dense bins
        let p = params();
        let t = grow_on::<Inline<9>>(&b, &g, &h, &p).tree;
        assert_eq!(t, grow_on::<ByRow>(&b, &g, &h, &p).tree);
        assert_eq!(t, grow_on::<Packed<10>>(&b, &g, &h, &p).tree);
        assert_eq!(t, grow_on::<ByRow>(&dense_b, &g, &h, &p).tree);
    }

    #[test]
    fn parallel_parts_grow_the_same_tree_as_serial_ones() {
        let (x, b, _, h) = data();
        // non-integer gradients: sums depend on their order, which must not change
        let g: Vec<f64> = (0..h.len())
            .map(|i| (x[4 * i + 2] * 0.37).sin() + (i % 13) as f64 * 0.1)
            .collect();
        let mut p = params();
        p.max_leaves = 31;
        p.min_samples_leaf = 20;
        let a = grow_on::<Packed<10>>(&b, &g, &h, &p);
        p.parallel = true;
        let c = grow_on::<Packed<10>>(&b, &g, &h, &p);
        assert_eq!(a.tree.nodes.len(), 61);
        assert_eq!(a.tree, c.tree);
        assert_eq!(a.leaves, c.leaves);
    }

    #[test]
    fn finds_the_exhaustive_best_first_split() {
        // the root split is the best over every feature, threshold and NaN side
        let (x, b, g, h) = data();
        let t = grow_on::<Packed<10>>(
            &b,
            &g,
            &h,
            &TreeParams {
                max_leaves: 2,
                min_samples_leaf: 5,
                ..params()
            },
        )
        .tree;
        let Node::Split {
            feature,
            threshold,
            nan_left,
            ..
        } = t.nodes[0]
        else {
            panic!("no split")
        };
        let n = g.len();
        let (gt, ht): (f64, f64) = (g.iter().sum(), h.iter().sum());
        let score = |gs: f64, hs: f64| gs * gs / hs;
        let gain_of = |f: usize, thr: f64, nl: bool| {
            let (mut gl, mut hl, mut nl_rows) = (0.0, 0.0, 0usize);
            for r in 0..n {
                let v = x[4 * r + f];
                if if v.is_nan() { nl } else { v <= thr } {
                    gl += g[r];
                    hl += h[r];
                    nl_rows += 1;
                }
            }
            if nl_rows < 5 || n - nl_rows < 5 {
                return f64::NEG_INFINITY;
            }
            score(gl, hl) + score(gt - gl, ht - hl) - score(gt, ht)
        };
        let chosen = gain_of(feature as usize, threshold, nan_left);
        for f in 0..4 {
            let mut vals: Vec<f64> = (0..n)
                .map(|r| x[4 * r + f])
                .filter(|v| !v.is_nan())
                .collect();
            vals.sort_by(f64::total_cmp);
            vals.dedup();
            for &v in &vals {
                for nl in [false, true] {
                    assert!(
                        gain_of(f, v, nl) <= chosen + 1e-6 * chosen.abs(),
                        "f{f} <= {v}"
                    );
                }
            }
        }
    }
}
