//! Growing one random-forest regression tree (CART, squared error) on finely binned
//! features (`fine_bins.rs`): exact splits at the midpoint between a node's adjacent
//! values, as scikit-learn's, but found from per-node sums over value bins instead of
//! sorting. The tree's sample travels in node order (each row's bins, target and
//! bootstrap weight, partitioned in place at every split), so every pass over a node
//! reads memory sequentially however deep the tree is.
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

/// A tree's sample in node order: row `i`'s bins at `bins[i * nf..(i + 1) * nf]` and its
/// `[target, weight]` at `yw[i]`.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// Bins, row-major.
    pub bins: Vec<u16>,
    /// Target and weight (bootstrap count) per row.
    pub yw: Vec<[f64; 2]>,
}

impl Sample {
    /// The rows with a non-zero weight `w[r]`, in order.
    pub fn new(fb: &FineBinned, y: &[f64], w: &[u32]) -> Sample {
        let nf = fb.n_features;
        let m = w.iter().filter(|&&c| c > 0).count();
        let mut s = Sample {
            bins: Vec::with_capacity(m * nf),
            yw: Vec::with_capacity(m),
        };
        for (r, &c) in w.iter().enumerate() {
            if c > 0 {
                s.bins.extend_from_slice(fb.row(r));
                s.yw.push([y[r], f64::from(c)]);
            }
        }
        s
    }
}

/// Sums over rows: Σ w·y, Σ w and the number of rows.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Acc {
    s: f64,
    w: f64,
    c: u32,
}

impl Acc {
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

#[derive(Debug, Clone, Copy)]
struct Split {
    gain: f64,
    feature: usize,
    bin: usize,
    nan_left: bool,
    /// The node's next non-empty bin above `bin` (0: none, only missing values).
    next: usize,
}

/// Reusable buffers of a thread growing trees: one cell per bin of every feature (all
/// zero between searches), each drawn feature's touched bins, and the partition's
/// right-hand rows.
#[derive(Debug, Default)]
pub struct Scratch {
    offsets: Vec<usize>,
    cells: Vec<Acc>,
    touched: Vec<Vec<u16>>,
    right_bins: Vec<u16>,
    right_yw: Vec<[f64; 2]>,
}

impl Scratch {
    fn prepare(&mut self, fb: &FineBinned) {
        let nf = fb.n_features;
        if self.offsets.len() != nf + 1 {
            self.offsets = vec![0];
            for f in 0..nf {
                let last = self.offsets[f];
                self.offsets.push(last + fb.n_bins(f));
            }
            self.cells = vec![Acc::default(); self.offsets[nf]];
            self.touched = vec![Vec::new(); nf];
        }
    }
}

/// Grow a tree on `sample` (reordered in place); returns it with its split gains per
/// feature.
pub fn grow_tree(
    fb: &FineBinned,
    sample: &mut Sample,
    p: &ForestTreeParams,
    rng: &mut Rng,
    scratch: &mut Scratch,
) -> (Tree, Vec<f64>) {
    let nf = fb.n_features;
    scratch.prepare(fb);
    let min_leaf = p.min_samples_leaf.max(1);
    let mut nodes = vec![Node::Leaf(0.0)];
    let mut gains = vec![0.0; nf];
    // (node, start, end, depth), depth first, left child first
    let mut stack = vec![(0usize, 0usize, sample.yw.len(), 0usize)];
    while let Some((node, start, end, depth)) = stack.pop() {
        let yw = &sample.yw[start..end];
        let mut sum = Acc::default();
        let mut pure = true;
        let y0 = yw.first().map_or(0.0, |v| v[0]);
        for &[y, w] in yw {
            sum.s += w * y;
            sum.w += w;
            pure &= y == y0;
        }
        sum.c = yw.len() as u32;
        let leaf = Node::Leaf(if sum.w > 0.0 { sum.s / sum.w } else { 0.0 });
        if pure || yw.len() < 2 * min_leaf || (p.max_depth > 0 && depth >= p.max_depth) {
            nodes[node] = leaf;
            continue;
        }
        let Some(s) = search(fb, sample, start, end, &sum, p, rng, scratch) else {
            nodes[node] = leaf;
            continue;
        };
        let n_left = partition(sample, nf, start, end, &s, scratch);
        if n_left == 0 || start + n_left == end {
            nodes[node] = leaf;
            continue;
        }
        gains[s.feature] += s.gain;
        let li = nodes.len();
        nodes.push(Node::Leaf(0.0));
        nodes.push(Node::Leaf(0.0));
        nodes[node] = Node::Split {
            feature: s.feature as u32,
            bin: s.bin.min(255) as u8,
            threshold: fb.threshold_between(s.feature, s.bin, s.next),
            nan_left: s.nan_left,
            left: li as u32,
            right: li as u32 + 1,
        };
        let mid = start + n_left;
        stack.push((li + 1, mid, end, depth + 1));
        stack.push((li, start, mid, depth + 1));
    }
    (Tree { nodes }, gains)
}

/// The best split of rows `start..end` over the drawn features (`None`: a leaf).
#[allow(clippy::too_many_arguments)]
fn search(
    fb: &FineBinned,
    sample: &Sample,
    start: usize,
    end: usize,
    sum: &Acc,
    p: &ForestTreeParams,
    rng: &mut Rng,
    scratch: &mut Scratch,
) -> Option<Split> {
    let nf = fb.n_features;
    let k = p.features_per_node.clamp(1, nf);
    let feats = if k < nf {
        rng.choose(nf, k)
    } else {
        (0..nf).collect()
    };
    let parent = sum.score();
    let min_leaf = p.min_samples_leaf.max(1) as u32;
    let mut best = None;
    let mut varies = search_features(
        fb, sample, start, end, &feats, sum, parent, min_leaf, scratch, &mut best,
    );
    if !varies && feats.len() < nf {
        let mut rest: Vec<usize> = (0..nf).filter(|f| !feats.contains(f)).collect();
        while !varies && !rest.is_empty() {
            let f = rest.swap_remove(rng.below(rest.len()));
            varies = search_features(
                fb,
                sample,
                start,
                end,
                &[f],
                sum,
                parent,
                min_leaf,
                scratch,
                &mut best,
            );
        }
    }
    best
}

/// Accumulate the node's rows into the bins of `feats` in one pass, then scan each
/// feature's non-empty bins in increasing order; whether any feature takes more than one
/// bin (NaN included) in the node.
#[allow(clippy::too_many_arguments)]
fn search_features(
    fb: &FineBinned,
    sample: &Sample,
    start: usize,
    end: usize,
    feats: &[usize],
    sum: &Acc,
    parent: f64,
    min_leaf: u32,
    scratch: &mut Scratch,
    best: &mut Option<Split>,
) -> bool {
    let nf = fb.n_features;
    let Scratch {
        offsets,
        cells,
        touched,
        ..
    } = scratch;
    for &f in feats {
        touched[f].clear();
    }
    let bins = &sample.bins[start * nf..end * nf];
    for (row, &[y, w]) in bins.chunks_exact(nf).zip(&sample.yw[start..end]) {
        let wy = w * y;
        for &f in feats {
            let b = row[f];
            let c = &mut cells[offsets[f] + b as usize];
            if c.c == 0 {
                touched[f].push(b);
            }
            c.s += wy;
            c.w += w;
            c.c += 1;
        }
    }
    let mut varies = false;
    for &f in feats {
        let t = &mut touched[f];
        varies |= t.len() > 1;
        let fc = &mut cells[offsets[f]..offsets[f + 1]];
        let nan = std::mem::take(&mut fc[0]);
        if t.len() * 8 > fc.len() {
            // many bins touched: walk them all instead of sorting
            let it = (1..fc.len()).filter_map(|b| {
                if fc[b].c > 0 {
                    Some((b, std::mem::take(&mut fc[b])))
                } else {
                    None
                }
            });
            scan(f, it, nan, sum, parent, min_leaf, best);
        } else {
            t.sort_unstable();
            let it = t
                .iter()
                .filter(|&&b| b != 0)
                .map(|&b| (b as usize, std::mem::take(&mut fc[b as usize])));
            scan(f, it, nan, sum, parent, min_leaf, best);
        }
    }
    varies
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

/// Stable partition of rows `start..end` by `s`: left rows first; returns their number.
fn partition(
    sample: &mut Sample,
    nf: usize,
    start: usize,
    end: usize,
    s: &Split,
    scratch: &mut Scratch,
) -> usize {
    let (f, bin, nan_left) = (s.feature, s.bin as u16, s.nan_left);
    let Scratch {
        right_bins,
        right_yw,
        ..
    } = scratch;
    right_bins.clear();
    right_yw.clear();
    let bins = &mut sample.bins;
    let yw = &mut sample.yw;
    let mut dst = start;
    for i in start..end {
        let v = bins[i * nf + f];
        let left = if v == 0 { nan_left } else { v <= bin };
        if left {
            if dst != i {
                bins.copy_within(i * nf..(i + 1) * nf, dst * nf);
                yw[dst] = yw[i];
            }
            dst += 1;
        } else {
            right_bins.extend_from_slice(&bins[i * nf..(i + 1) * nf]);
            right_yw.push(yw[i]);
        }
    }
    bins[dst * nf..end * nf].copy_from_slice(right_bins);
    yw[dst..end].copy_from_slice(right_yw);
    dst - start
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fit(x: &[f64], nf: usize, y: &[f64], w: &[u32], p: &ForestTreeParams) -> Tree {
        let n = y.len();
        let fb = FineBinned::new(x, n, nf, 65535);
        let mut s = Sample::new(&fb, y, w);
        grow_tree(&fb, &mut s, p, &mut Rng::new(0, 0), &mut Scratch::default()).0
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
        let mut s = Sample::new(&fb, &y, &w);
        let p = params(5, 1);
        let (t, gains) = grow_tree(
            &fb,
            &mut s,
            &p,
            &mut Rng::new(1, 2),
            &mut Scratch::default(),
        );
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
            let mut s = Sample::new(&fb, &y, &vec![1; n]);
            let (t, _) = grow_tree(
                &fb,
                &mut s,
                &params(1, 1),
                &mut Rng::new(seed, 0),
                &mut Scratch::default(),
            );
            assert_eq!(t.nodes.len(), 3);
            assert_eq!(t.predict(&[1.0, 1.0]), 10.0);
        }
    }
}
