//! The histogram regression-tree learner shared by gradient boosting and the random
//! forest (written natively: linfa-trees 0.8 only has classification trees). A tree fits
//! per-row gradients `g` and hessians `h` (squared error on `y`: `g = −y`, `h = 1` gives the
//! CART variance-reduction tree). Each node's histogram of (Σg, Σh, count) per feature bin
//! is built for the smaller child only, the larger one by subtraction from the parent.
//! Split gain is `G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)`; missing values (bin 0) go to
//! whichever side gains more (split finding: `split.rs`). Growth is best-first up to
//! `max_leaves` (boosting) or depth-first without a leaf limit (forest).

use super::histogram::Binned;
use super::rng::Rng;
use crate::parallel;
use rayon::prelude::*;

use super::split::{timed, Cell, Gh, HCell, Learner, Split};

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
    /// Raw-value thresholds halfway between the node's values on either side of the
    /// split (scikit-learn's), instead of the bin's upper bound (LightGBM's).
    pub node_thresholds: bool,
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

struct Pending {
    node: usize,
    start: usize,
    end: usize,
    depth: usize,
    sum: Cell,
    hist: Option<Vec<HCell>>,
    split: Option<Split>,
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
    grow_from(b, g, h, &[], rows, allowed, p, rng)
}

/// [`grow`] with every row's gradient and hessian side by side (`pairs[r] = [g, h]`).
pub fn grow_pairs(
    b: &Binned,
    pairs: &[Gh],
    rows: &mut [u32],
    allowed: &[usize],
    p: &TreeParams,
    rng: &mut Rng,
) -> Grown {
    grow_from(b, &[], &[], pairs, rows, allowed, p, rng)
}

#[allow(clippy::too_many_arguments)]
fn grow_from(
    b: &Binned,
    g: &[f64],
    h: &[f64],
    pairs: &[Gh],
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
        pairs,
        allowed,
        p,
        ordered,
        scratch: Default::default(),
    };
    let mut gh: Vec<Gh> = if ordered {
        rows.iter()
            .map(|&r| {
                let (g, h) = l.grad(r as usize);
                [g, h]
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut nodes = vec![Node::Leaf(0.0)];
    let mut gains = vec![0.0; b.n_features()];
    let mut leaves = Vec::new();
    // The (Σg, Σh, rows) of a node's rows (its gradients `ghs` when ordered).
    let total = |rows: &[u32], ghs: &[Gh]| {
        let mut sum = Cell::default();
        if ordered {
            for &[g, h] in ghs {
                sum.add(&Cell { g, h, c: 1 });
            }
        } else {
            for &r in rows {
                let (g, h) = l.grad(r as usize);
                sum.add(&Cell { g, h, c: 1 });
            }
        }
        sum
    };
    // Histogram buffers of finished nodes, reused (deep trees would otherwise allocate and
    // zero fresh pages for every node).
    let mut pool: Vec<Vec<HCell>> = Vec::new();
    let (hist, sum) = if l.is_small(rows.len()) {
        (None, total(rows, &gh))
    } else {
        let (h, s) = timed(0, || l.hist(rows, &gh, &mut pool));
        (Some(h), s)
    };
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
        let col = &b.cols[s.feature];
        // which bins go left, as a table: the partition's test is one load, no branch
        let mut lut = [false; 256];
        for (v, l) in lut.iter_mut().enumerate() {
            *l = if v == 0 {
                s.nan_left
            } else {
                v <= s.bin as usize
            };
        }
        let goes_left = |r: u32| lut[col[r as usize] as usize];
        let seg = &mut rows[cand.start..cand.end];
        let seg_gh: &mut [Gh] = if ordered {
            &mut gh[cand.start..cand.end]
        } else {
            &mut []
        };
        super::split::PROFILE_NS[4]
            .fetch_add(seg.len() as u64, std::sync::atomic::Ordering::Relaxed);
        let n_left = timed(2, || {
            if p.parallel && !ordered && seg.len() > 16_000 {
                // One parallel pass into a buffer reused across splits: every chunk puts
                // its left rows at the front of its own slots and its right rows, backwards,
                // at the back; then the chunks' lefts, and their rights reversed, are
                // copied back in order (a stable partition). Branchless: each row is
                // written to both cursors' slots (both free until the cursors meet) and
                // only its side's cursor moves, since a split's sides are unpredictable
                // and a mispredicted branch per row was the cost.
                let chunk = seg.len().div_ceil(parallel::num_threads().max(1));
                if big.len() < seg.len() {
                    big.resize(seg.len(), 0);
                }
                let seg_len = seg.len();
                let seg_ro: &[u32] = seg;
                let counts: Vec<usize> = parallel::install(|| {
                    seg_ro
                        .par_chunks(chunk)
                        .zip(big[..seg_ro.len()].par_chunks_mut(chunk))
                        .map(|(c, out)| {
                            let (mut i, mut back) = (0, out.len());
                            for &r in c {
                                let left = goes_left(r);
                                out[i] = r;
                                out[back - 1] = r;
                                i += usize::from(left);
                                back -= usize::from(!left);
                            }
                            i
                        })
                        .collect()
                });
                let n_left: usize = counts.iter().sum();
                // every chunk's destinations: disjoint slices of both sides, in order
                let (mut lrest, mut rrest) = seg.split_at_mut(n_left);
                let mut moves = Vec::with_capacity(counts.len());
                for (out, &nl) in big[..seg_len].chunks(chunk).zip(&counts) {
                    let (l, lr) = std::mem::take(&mut lrest).split_at_mut(nl);
                    let (r, rr) = std::mem::take(&mut rrest).split_at_mut(out.len() - nl);
                    (lrest, rrest) = (lr, rr);
                    moves.push((out, l, r));
                }
                parallel::install(|| {
                    moves.into_par_iter().for_each(|(out, l, r)| {
                        let nl = l.len();
                        l.copy_from_slice(&out[..nl]);
                        for (d, &row) in r.iter_mut().zip(out[nl..].iter().rev()) {
                            *d = row;
                        }
                    });
                });
                n_left
            } else {
                scratch.clear();
                scratch_gh.clear();
                let mut n_left = 0;
                if ordered {
                    for k in 0..seg.len() {
                        let (r, v) = (seg[k], seg_gh[k]);
                        if goes_left(r) {
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
                    // branchless, as above: write both, advance one
                    scratch.resize(seg.len(), 0);
                    let mut n_right = 0;
                    for k in 0..seg.len() {
                        let r = seg[k];
                        let left = goes_left(r);
                        seg[n_left] = r;
                        scratch[n_right] = r;
                        n_left += usize::from(left);
                        n_right += usize::from(!left);
                    }
                    scratch.truncate(n_right);
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
        let (small, small_gh, large) = if small_is_left {
            (left_rows, left_gh, right_rows)
        } else {
            (right_rows, right_gh, left_rows)
        };
        // Histograms for both children when the larger one is big enough to need one: the
        // smaller child's from its rows (with their total), the larger one's by
        // subtraction.
        let (lh, rh, ss) = match cand.hist.take() {
            Some(mut ph) if !l.is_small(large.len()) => {
                let (sh, ss) = timed(0, || l.hist(small, small_gh, &mut pool));
                ph.iter_mut().zip(&sh).for_each(|(a, c)| {
                    a[0] -= c[0];
                    a[1] -= c[1];
                    a[2] -= c[2];
                });
                if small_is_left {
                    (Some(sh), Some(ph), ss)
                } else {
                    (Some(ph), Some(sh), ss)
                }
            }
            other => {
                pool.extend(other);
                (None, None, total(small, small_gh))
            }
        };
        let (ls, rs) = if small_is_left {
            (ss, cand.sum.sub(&ss))
        } else {
            (cand.sum.sub(&ss), ss)
        };
        gains[s.feature] += s.gain;
        let (li, ri) = (nodes.len(), nodes.len() + 1);
        nodes.push(Node::Leaf(0.0));
        nodes.push(Node::Leaf(0.0));
        nodes[cand.node] = Node::Split {
            feature: s.feature as u32,
            bin: s.bin,
            threshold: if p.node_thresholds && s.next > 0 {
                b.mappers[s.feature].threshold_between(s.bin as usize, s.next as usize)
            } else {
                b.mappers[s.feature].threshold(s.bin as usize)
            },
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
    use crate::ml::histogram::BinRule;

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
            node_thresholds: false,
        }
    }

    #[test]
    fn fits_a_step_and_sends_nan_the_right_way() {
        // y = 1 when x <= 2, 5 when x > 2, 9 when x is missing.
        let x = [1.0, 2.0, 3.0, 4.0, f64::NAN, 1.5, 3.5, f64::NAN];
        let y = [1.0, 1.0, 5.0, 5.0, 9.0, 1.0, 5.0, 9.0];
        let b = Binned::new(&x, x.len(), 1, 255, BinRule::Midpoints);
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
        let b = Binned::new(&x, 100, 1, 255, BinRule::Midpoints);
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
        let b = Binned::new(&x, n, 2, 255, BinRule::Midpoints);
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
        let b = Binned::new(&x, n, 2, 255, BinRule::Midpoints);
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
        let b = Binned::new(&x, n, 2, 255, BinRule::Midpoints);
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

    #[test]
    fn node_thresholds_sit_halfway_between_the_nodes_values() {
        // the value 5 exists (so it has a bin) but not among the rows the tree sees
        let x = [1.0, 1.0, 9.0, 9.0, 5.0];
        let g = [0.0, 0.0, -10.0, -10.0, 0.0];
        let h = [1.0; 5];
        let b = Binned::new(&x, 5, 1, 255, BinRule::Midpoints);
        let mut p = params();
        for (node, t) in [(true, 5.0), (false, 3.0)] {
            p.node_thresholds = node;
            let mut rows: Vec<u32> = vec![0, 1, 2, 3];
            let tree = grow(&b, &g, &h, &mut rows, &[0], &p, &mut Rng::new(0, 0)).tree;
            let Node::Split { threshold, .. } = tree.nodes[0] else {
                panic!("no split")
            };
            assert_eq!(threshold, t);
            assert_eq!(tree.predict(&[4.0]), if node { 0.0 } else { 10.0 });
            for r in 0..4 {
                assert_eq!(tree.predict(&x[r..=r]), -g[r]);
            }
        }
    }
}
