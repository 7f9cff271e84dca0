//! Random forest regression, written natively because linfa-trees 0.8 only has
//! classification trees: bootstrap samples (as row weights), a random subset of features
//! at every split, fully grown exact CART trees on finely binned features
//! (`forest_grow.rs`), rayon across trees. The prediction is the mean of the trees,
//! walked in a compact layout (16-byte nodes, siblings adjacent, breadth first) and, for
//! many rows at once, tree by tree so each tree's top levels stay in cache.

use super::fine_bins::FineBinned;
use super::forest_grow::{grow_tree, sample_into, ForestTreeParams, Rec, RowBins, Scratch};
use super::rng::Rng;
use super::spec::ForestParams;
use super::tree::{Node, Tree};
use crate::parallel;
use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fitted forest, kept only in the compact prediction layout (a tree of 16-byte
/// nodes instead of [`Node`]'s 32: half the memory of a forest of deep trees), one
/// vector per tree as grown (no copy into one block: less peak memory).
#[derive(Debug, Clone, PartialEq)]
pub struct Forest {
    /// Total split gain per feature.
    pub gains: Vec<f64>,
    /// The trees' nodes, see [`Flat`].
    /// One vector per tree (root first).
    flat: Vec<Vec<Flat>>,
}

/// A node of the prediction layout: a leaf (`feature == LEAF`, value `v`) or a split on
/// `feature` (bit 31: missing values go left) at threshold `v`, whose children are
/// `left` and `left + 1`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Flat {
    v: f64,
    feature: u32,
    left: u32,
}

const LEAF: u32 = u32::MAX;

/// Rows walking a tree together in [`Forest::predict_rows`].
const LANES: usize = 8;
const NAN_LEFT: u32 = 1 << 31;

/// `t` in the compact layout, breadth first (siblings adjacent).
fn to_flat(t: &Tree) -> Vec<Flat> {
    let mut flat = Vec::with_capacity(t.nodes.len());
    // `queue[j]` is the tree node at `flat[j]`
    let mut queue = vec![0usize];
    let mut j = 0;
    while j < queue.len() {
        let node = match t.nodes[queue[j]] {
            Node::Leaf(v) => Flat {
                v,
                feature: LEAF,
                left: 0,
            },
            Node::Split {
                feature,
                threshold,
                nan_left,
                left,
                right,
                ..
            } => {
                let at = queue.len();
                queue.push(left as usize);
                queue.push(right as usize);
                Flat {
                    v: threshold,
                    feature: feature | if nan_left { NAN_LEFT } else { 0 },
                    left: at as u32,
                }
            }
        };
        flat.push(node);
        j += 1;
    }
    flat
}

/// Draw `m` rows of `pool` (distinct rows of `0..n`, increasing) with replacement into
/// per-row counts (`n` rows) in `counts`
/// (bytes: a quarter of the memory traffic of `u32`s), or, when some row is drawn more
/// than 255 times, redraw the same rows into `u32` counts (`Err`). `rng` ends in the same
/// state either way.
fn bootstrap(
    rng: &mut Rng,
    pool: &[u32],
    m: usize,
    counts: &mut Vec<u8>,
    n: usize,
) -> Result<(), Vec<u32>> {
    counts.clear();
    counts.resize(n, 0);
    let start = rng.clone();
    // `pool` holds distinct rows of 0..n in order: all of them is every row, and a draw
    // is its own row (one random memory access per draw instead of two)
    let every = pool.len() == n;
    let row = |i: usize| if every { i } else { pool[i] as usize };
    let mut overflow = false;
    for _ in 0..m {
        let c = &mut counts[row(rng.below(pool.len()))];
        overflow |= *c == u8::MAX;
        *c = c.wrapping_add(1);
    }
    if !overflow {
        return Ok(());
    }
    let mut again = start;
    let mut wide = vec![0u32; n];
    for _ in 0..m {
        wide[row(again.below(pool.len()))] += 1;
    }
    Err(wide)
}

/// Grow every tree (rayon across trees), each returned in its compact layout with its
/// split gains.
fn grow_all<R: RowBins>(
    fb: &FineBinned,
    y: &[f64],
    pool: &[u32],
    p: &ForestParams,
    tp: &ForestTreeParams,
    progress: &AtomicUsize,
) -> Vec<(Vec<Flat>, Vec<f64>)> {
    parallel::install(|| {
        // one block of trees per thread, so each thread sets up its buffers once (rayon
        // runs `map_init`'s init per split of the work; fresh buffers are fresh pages)
        let per_thread = p.n_estimators.div_ceil(parallel::num_threads().max(1));
        (0..p.n_estimators)
            .into_par_iter()
            .with_min_len(per_thread.max(1))
            .map_init(
                || (Scratch::<R>::new(), Vec::<u8>::new(), Vec::<Rec<R>>::new()),
                |(scratch, counts, recs), t| {
                    let mut rng = Rng::new(p.seed, t as u64 + 1);
                    // a bootstrap sample as per-row counts (weights): each distinct row is
                    // visited once, and min_samples_leaf counts distinct rows (as
                    // scikit-learn's does); bytes while no row is drawn 255 times
                    if p.bootstrap && !pool.is_empty() {
                        let m = ((p.max_samples * pool.len() as f64).round() as usize).max(1);
                        match bootstrap(&mut rng, pool, m, counts, y.len()) {
                            Ok(()) => sample_into(fb, y, counts, recs),
                            Err(wide) => sample_into(fb, y, &wide, recs),
                        }
                    } else {
                        counts.clear();
                        counts.resize(y.len(), 0);
                        for &r in pool {
                            counts[r as usize] = 1;
                        }
                        sample_into(fb, y, counts, recs);
                    }
                    let (tree, gains) = grow_tree(fb, recs, tp, &mut rng, scratch);
                    let flat = to_flat(&tree);
                    progress.fetch_add(1, Ordering::Relaxed);
                    (flat, gains)
                },
            )
            .collect()
    })
}

impl Forest {
    /// A forest of `trees` with importances `gains`.
    pub fn new(trees: &[Tree], gains: Vec<f64>) -> Forest {
        Forest {
            gains,
            flat: trees.iter().map(to_flat).collect(),
        }
    }

    /// Number of trees.
    pub fn n_trees(&self) -> usize {
        self.flat.len()
    }

    /// Number of nodes of all trees.
    pub fn n_nodes(&self) -> usize {
        self.flat.iter().map(Vec::len).sum()
    }

    /// The trees as [`Tree`]s (for persistence; `bin` is 0 in every split).
    pub fn trees(&self) -> Vec<Tree> {
        self.flat
            .iter()
            .map(|tree| {
                let nodes = tree
                    .iter()
                    .map(|n| {
                        if n.feature == LEAF {
                            Node::Leaf(n.v)
                        } else {
                            let left = n.left;
                            Node::Split {
                                feature: n.feature & !NAN_LEFT,
                                bin: 0,
                                threshold: n.v,
                                nan_left: n.feature & NAN_LEFT != 0,
                                left,
                                right: left + 1,
                            }
                        }
                    })
                    .collect();
                Tree { nodes }
            })
            .collect()
    }

    /// Fit on finely binned features `fb` and target `y` (rows with `skip[r]` are not
    /// used).
    pub fn fit(
        fb: &FineBinned,
        y: &[f64],
        skip: &[bool],
        p: &ForestParams,
        progress: &AtomicUsize,
    ) -> Forest {
        let pool: Vec<u32> = (0..y.len() as u32).filter(|&r| !skip[r as usize]).collect();
        let nf = fb.n_features;
        // scikit-learn's rule: max(1, int(max_features · n_features))
        let k = ((p.max_features * nf as f64).floor() as usize).clamp(1, nf.max(1));
        let tp = ForestTreeParams {
            min_samples_leaf: p.min_samples_leaf,
            max_depth: p.max_depth,
            features_per_node: k,
        };
        // records as small as the features allow (bins inline up to 32 features)
        let grown = match nf {
            0..=1 => grow_all::<[u16; 1]>(fb, y, &pool, p, &tp, progress),
            2 => grow_all::<[u16; 2]>(fb, y, &pool, p, &tp, progress),
            3 => grow_all::<[u16; 3]>(fb, y, &pool, p, &tp, progress),
            4 => grow_all::<[u16; 4]>(fb, y, &pool, p, &tp, progress),
            5 => grow_all::<[u16; 5]>(fb, y, &pool, p, &tp, progress),
            6 => grow_all::<[u16; 6]>(fb, y, &pool, p, &tp, progress),
            7 => grow_all::<[u16; 7]>(fb, y, &pool, p, &tp, progress),
            8 => grow_all::<[u16; 8]>(fb, y, &pool, p, &tp, progress),
            9 => grow_all::<[u16; 9]>(fb, y, &pool, p, &tp, progress),
            10 => grow_all::<[u16; 10]>(fb, y, &pool, p, &tp, progress),
            11..=12 => grow_all::<[u16; 12]>(fb, y, &pool, p, &tp, progress),
            13..=16 => grow_all::<[u16; 16]>(fb, y, &pool, p, &tp, progress),
            17..=24 => grow_all::<[u16; 24]>(fb, y, &pool, p, &tp, progress),
            25..=32 => grow_all::<[u16; 32]>(fb, y, &pool, p, &tp, progress),
            _ => grow_all::<u32>(fb, y, &pool, p, &tp, progress),
        };
        let mut gains = vec![0.0; nf];
        let mut flat = Vec::with_capacity(grown.len());
        for (t, tg) in grown {
            for (a, v) in gains.iter_mut().zip(&tg) {
                *a += v;
            }
            flat.push(t);
        }
        if std::env::var_os("SHELFCAST_PROFILE").is_some() {
            let nodes: usize = flat.iter().map(Vec::len).sum();
            eprintln!("forest: {} trees, {nodes} nodes", flat.len());
        }
        Forest { gains, flat }
    }

    /// The leaf value of `tree` (compact layout) for a raw feature row.
    #[inline]
    fn walk(tree: &[Flat], x: &[f64]) -> f64 {
        let mut i = 0;
        loop {
            let n = tree[i];
            if n.feature == LEAF {
                return n.v;
            }
            let v = x[(n.feature & !NAN_LEFT) as usize];
            let left = if v.is_nan() {
                n.feature & NAN_LEFT != 0
            } else {
                v <= n.v
            };
            i = n.left as usize + usize::from(!left);
        }
    }

    /// Mean prediction of the trees for a raw feature row.
    pub fn predict(&self, x: &[f64]) -> f64 {
        let mut s = 0.0;
        for t in &self.flat {
            s += Self::walk(t, x);
        }
        s / self.flat.len().max(1) as f64
    }

    /// [`Forest::predict`] of every row of a row-major matrix `x` (`n_features` per row)
    /// into `out`, tree by tree (the same sums, in the same order, as row by row).
    pub fn predict_rows(&self, x: &[f64], n_features: usize, out: &mut [f64]) {
        out.fill(0.0);
        let nf = n_features.max(1);
        for t in &self.flat {
            // LANES rows walk the tree together, one level per pass: a deep tree is a
            // chain of dependent cache misses per row, and independent rows' chains
            // overlap (same leaves, so the same sums)
            for (o, rows) in out.chunks_mut(LANES).zip(x.chunks(LANES * nf)) {
                let mut at = [0usize; LANES];
                let lanes = o.len();
                loop {
                    let mut moving = false;
                    for (j, i) in at.iter_mut().enumerate().take(lanes) {
                        let n = t[*i];
                        if n.feature != LEAF {
                            let v = rows[j * nf + (n.feature & !NAN_LEFT) as usize];
                            let left = if v.is_nan() {
                                n.feature & NAN_LEFT != 0
                            } else {
                                v <= n.v
                            };
                            *i = n.left as usize + usize::from(!left);
                            moving = true;
                        }
                    }
                    if !moving {
                        break;
                    }
                }
                for (oj, &i) in o.iter_mut().zip(&at) {
                    *oj += t[i].v;
                }
            }
        }
        let n = self.flat.len().max(1) as f64;
        out.iter_mut().for_each(|o| *o /= n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(n_estimators: usize, bootstrap: bool) -> ForestParams {
        ForestParams {
            n_estimators,
            max_depth: 0,
            min_samples_leaf: 1,
            max_features: 1.0,
            bootstrap,
            max_samples: 1.0,
            max_bins: 65535,
            seed: 1,
        }
    }

    #[test]
    fn fits_and_is_reproducible() {
        let n = 300;
        let x: Vec<f64> = (0..n)
            .map(|i| {
                if i % 13 == 0 {
                    f64::NAN
                } else {
                    (i % 20) as f64
                }
            })
            .collect();
        let y: Vec<f64> = x
            .iter()
            .map(|v| if v.is_nan() { 3.0 } else { v * 2.0 })
            .collect();
        let b = FineBinned::new(&x, n, 1, 65535);
        let skip = vec![false; n];
        let p = params(10, true);
        let f1 = Forest::fit(&b, &y, &skip, &p, &AtomicUsize::new(0));
        let f2 = Forest::fit(&b, &y, &skip, &p, &AtomicUsize::new(0));
        assert_eq!(f1, f2);
        assert!((f1.predict(&[4.0]) - 8.0).abs() < 1e-9);
        assert!((f1.predict(&[f64::NAN]) - 3.0).abs() < 1e-9);
        // a rebuilt forest (as decoded from a saved model) predicts the same
        let f3 = Forest::new(&f1.trees(), f1.gains.clone());
        assert_eq!(f1, f3);
    }

    #[test]
    fn batch_prediction_equals_row_by_row() {
        let n = 2000;
        let nf = 3;
        let x: Vec<f64> = (0..n)
            .flat_map(|i| {
                [
                    (i * 7 % 101) as f64 / 3.0,
                    if i % 9 == 0 { f64::NAN } else { (i % 5) as f64 },
                    (i * 13 % 17) as f64,
                ]
            })
            .collect();
        let y: Vec<f64> = (0..n)
            .map(|i| (i * 7 % 101) as f64 * 0.1 + (i % 5) as f64 + ((i * 13) % 17 % 3) as f64)
            .collect();
        let b = FineBinned::new(&x, n, nf, 65535);
        let mut p = params(8, true);
        p.min_samples_leaf = 5;
        p.max_features = 0.5;
        let f = Forest::fit(&b, &y, &vec![false; n], &p, &AtomicUsize::new(0));
        // a row count that leaves a partial group of lanes, too
        let k = n - 3;
        let mut part = vec![0.0; k];
        f.predict_rows(&x[..k * nf], nf, &mut part);
        for r in 0..k {
            assert_eq!(
                part[r].to_bits(),
                f.predict(&x[r * nf..(r + 1) * nf]).to_bits()
            );
        }
        let mut out = vec![0.0; n];
        f.predict_rows(&x, nf, &mut out);
        let mut err = 0.0;
        for r in 0..n {
            let row = &x[r * nf..(r + 1) * nf];
            assert_eq!(out[r].to_bits(), f.predict(row).to_bits(), "row {r}");
            // the compact layout walks the same trees
            let direct: f64 = f.trees().iter().map(|t| t.predict(row)).sum::<f64>() / 8.0;
            assert!((out[r] - direct).abs() < 1e-12);
            err += (out[r] - y[r]).abs();
        }
        assert!(err / (n as f64) < 1.0, "{}", err / n as f64);
    }

    #[test]
    fn any_stored_tree_layout_predicts_the_same() {
        // children far from their parent and not adjacent (as a saved model may hold)
        let t = Tree {
            nodes: vec![
                Node::Split {
                    feature: 1,
                    bin: 0,
                    threshold: 2.5,
                    nan_left: true,
                    left: 3,
                    right: 1,
                },
                Node::Leaf(7.0),
                Node::Leaf(-1.0),
                Node::Split {
                    feature: 0,
                    bin: 0,
                    threshold: 0.5,
                    nan_left: false,
                    left: 4,
                    right: 2,
                },
                Node::Leaf(3.0),
            ],
        };
        let f = Forest::new(std::slice::from_ref(&t), vec![0.0, 0.0]);
        assert_eq!(f.n_trees(), 1);
        assert_eq!(f.n_nodes(), 5);
        for row in [
            [0.0, 1.0],
            [1.0, 1.0],
            [f64::NAN, 1.0],
            [0.0, 3.0],
            [0.0, f64::NAN],
            [1.0, 2.5],
        ] {
            assert_eq!(f.predict(&row), t.predict(&row), "{row:?}");
        }
        // re-encoded trees are the compact layout's, same predictions
        let again = Forest::new(&f.trees(), vec![0.0, 0.0]);
        assert_eq!(again, f);
    }

    #[test]
    fn bootstrap_counts_widen_past_255_draws() {
        let mut counts = Vec::new();
        // a pool of distinct rows: byte counts
        let pool: Vec<u32> = (0..1000).collect();
        let mut rng = Rng::new(3, 1);
        assert!(bootstrap(&mut rng, &pool, 1000, &mut counts, 1000).is_ok());
        assert_eq!(counts.iter().map(|&c| u32::from(c)).sum::<u32>(), 1000);
        // row 0 listed 300 times: every draw hits it
        let pool = vec![0u32; 300];
        let (mut a, mut b) = (Rng::new(3, 1), Rng::new(3, 1));
        let wide = bootstrap(&mut a, &pool, 300, &mut counts, 2).unwrap_err();
        assert_eq!(wide, vec![300, 0]);
        // the generator advanced as for byte counts
        for _ in 0..300 {
            b.below(300);
        }
        assert_eq!(a.next_u64(), b.next_u64());
    }

    #[test]
    fn bootstrap_draws_only_pool_rows_and_all_rows_alike() {
        // a pool of some rows: the same draws land on the pool's rows
        let pool = [1u32, 3, 4, 8];
        let (mut some, mut all) = (Vec::new(), Vec::new());
        bootstrap(&mut Rng::new(5, 2), &pool, 400, &mut some, 10).unwrap();
        assert_eq!(some.iter().map(|&c| u32::from(c)).sum::<u32>(), 400);
        assert!((0..10).all(|r| some[r] == 0 || pool.contains(&(r as u32))));
        // every row: draw `i` is row `i`, as through an identity pool
        let every: Vec<u32> = (0..4).collect();
        bootstrap(&mut Rng::new(5, 2), &every, 400, &mut all, 4).unwrap();
        for (i, &r) in pool.iter().enumerate() {
            assert_eq!(all[i], some[r as usize]);
        }
    }

    #[test]
    fn without_bootstrap_every_tree_fits_the_training_rows() {
        let n = 400;
        let x: Vec<f64> = (0..n).map(|i| (i * 31 % 400) as f64 / 7.0).collect();
        let y: Vec<f64> = (0..n).map(|i| (i * 31 % 400 % 23) as f64).collect();
        let b = FineBinned::new(&x, n, 1, 65535);
        let mut skip = vec![false; n];
        skip[0] = true;
        let f = Forest::fit(&b, &y, &skip, &params(3, false), &AtomicUsize::new(0));
        for r in 1..n {
            assert_eq!(f.predict(&x[r..=r]), y[r], "row {r}");
        }
    }
}
