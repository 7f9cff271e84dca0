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
            c: self.c - o.c,
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

struct Pending {
    node: usize,
    start: usize,
    end: usize,
    depth: usize,
    sum: Cell,
    hist: Vec<Vec<Cell>>,
    split: Option<Split>,
}

struct Learner<'a> {
    b: &'a Binned,
    g: &'a [f64],
    h: &'a [f64],
    allowed: &'a [usize],
    p: &'a TreeParams,
}

impl Learner<'_> {
    fn hist(&self, rows: &[u32]) -> Vec<Vec<Cell>> {
        let one = |f: usize| {
            let col = &self.b.cols[f];
            let mut hf = vec![Cell::default(); self.b.mappers[f].n_bins()];
            for &r in rows {
                let r = r as usize;
                let c = &mut hf[col[r] as usize];
                c.g += self.g[r];
                c.h += self.h[r];
                c.c += 1;
            }
            hf
        };
        let f = self.b.n_features();
        if self.p.parallel && rows.len() * self.allowed.len() > 50_000 {
            let mut out: Vec<Vec<Cell>> = vec![Vec::new(); f];
            let built: Vec<(usize, Vec<Cell>)> =
                parallel::install(|| self.allowed.par_iter().map(|&j| (j, one(j))).collect());
            for (j, hf) in built {
                out[j] = hf;
            }
            out
        } else {
            (0..f)
                .map(|j| {
                    if self.allowed.contains(&j) {
                        one(j)
                    } else {
                        Vec::new()
                    }
                })
                .collect()
        }
    }

    fn score(&self, c: &Cell) -> f64 {
        c.g * c.g / (c.h + self.p.lambda)
    }

    fn ok(&self, c: &Cell) -> bool {
        c.c as usize >= self.p.min_samples_leaf && c.h >= self.p.min_hessian
    }

    fn best_split(&self, hist: &[Vec<Cell>], sum: &Cell, rng: &mut Rng) -> Option<Split> {
        let feats: Vec<usize> = match self.p.features_per_node {
            Some(k) if k < self.allowed.len() => rng
                .choose(self.allowed.len(), k)
                .into_iter()
                .map(|i| self.allowed[i])
                .collect(),
            _ => self.allowed.to_vec(),
        };
        let parent = self.score(sum);
        let mut best: Option<Split> = None;
        let mut consider = |gain: f64, feature: usize, bin: usize, nan_left: bool| {
            if gain > 1e-12 && best.is_none_or(|b| gain > b.gain) {
                best = Some(Split {
                    gain,
                    feature,
                    bin: bin as u8,
                    nan_left,
                });
            }
        };
        for f in feats {
            let hf = &hist[f];
            let nb = hf.len();
            let nan = hf[0];
            let mut acc = Cell::default();
            for (b, cell) in hf.iter().enumerate().take(nb).skip(1) {
                acc.add(cell);
                if acc.c == 0 {
                    continue;
                }
                if b < nb - 1 || nan.c > 0 {
                    let right = sum.sub(&acc);
                    if right.c > 0 && self.ok(&acc) && self.ok(&right) {
                        consider(self.score(&acc) + self.score(&right) - parent, f, b, false);
                    }
                }
                if nan.c > 0 && b < nb - 1 {
                    let mut left = acc;
                    left.add(&nan);
                    let right = sum.sub(&left);
                    if right.c > 0 && self.ok(&left) && self.ok(&right) {
                        consider(self.score(&left) + self.score(&right) - parent, f, b, true);
                    }
                }
                if acc.c == sum.c - nan.c {
                    break; // every non-missing row is already on the left
                }
            }
        }
        best
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
    let l = Learner {
        b,
        g,
        h,
        allowed,
        p,
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
    let hist = l.hist(rows);
    let split = l.best_split(&hist, &sum, rng);
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
        let cand = pending.swap_remove(i);
        let can_split = cand.split.is_some()
            && n_leaves < p.max_leaves
            && (p.max_depth == 0 || cand.depth < p.max_depth);
        let Some(s) = cand.split.filter(|_| can_split) else {
            nodes[cand.node] = Node::Leaf(leaf_value(&cand.sum));
            leaves.push((cand.node, cand.start, cand.end));
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
        // partition rows[start..end] stably: left rows first
        let seg = &mut rows[cand.start..cand.end];
        scratch.clear();
        let mut n_left = 0;
        for k in 0..seg.len() {
            let r = seg[k];
            if l.goes_left(&s, r) {
                seg[n_left] = r;
                n_left += 1;
            } else {
                scratch.push(r);
            }
        }
        seg[n_left..].copy_from_slice(&scratch);
        let mid = cand.start + n_left;
        let (left_rows, right_rows) = rows[cand.start..cand.end].split_at(n_left);
        let (small, small_is_left) = if left_rows.len() <= right_rows.len() {
            (left_rows, true)
        } else {
            (right_rows, false)
        };
        let small_hist = l.hist(small);
        let large_hist: Vec<Vec<Cell>> = cand
            .hist
            .iter()
            .zip(&small_hist)
            .map(|(ph, sh)| ph.iter().zip(sh).map(|(a, c)| a.sub(c)).collect())
            .collect();
        let sum_of = |hist: &Vec<Vec<Cell>>| {
            let mut c = Cell::default();
            if let Some(&f) = allowed.first() {
                for cell in &hist[f] {
                    c.add(cell);
                }
            }
            c
        };
        let (lh, rh) = if small_is_left {
            (small_hist, large_hist)
        } else {
            (large_hist, small_hist)
        };
        let (ls, rs) = (sum_of(&lh), sum_of(&rh));
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
        let lsplit = l.best_split(&lh, &ls, rng);
        let rsplit = l.best_split(&rh, &rs, rng);
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
}
