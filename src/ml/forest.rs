//! Random forest regression, written natively because linfa-trees 0.8 only has
//! classification trees: bootstrap samples (as row weights), a random subset of features
//! at every split,
//! fully grown histogram CART trees (squared error: `g = −y`, `h = 1`, see `tree.rs`),
//! rayon across trees. The prediction is the mean of the trees.

use super::histogram::Binned;
use super::rng::Rng;
use super::spec::ForestParams;
use super::tree::{grow, Tree, TreeParams};
use crate::parallel;
use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fitted forest.
#[derive(Debug, Clone, PartialEq)]
pub struct Forest {
    /// The trees.
    pub trees: Vec<Tree>,
    /// Total split gain per feature.
    pub gains: Vec<f64>,
}

impl Forest {
    /// Fit on binned features `b` and target `y` (rows with `skip[r]` are not used).
    pub fn fit(
        b: &Binned,
        y: &[f64],
        skip: &[bool],
        p: &ForestParams,
        progress: &AtomicUsize,
    ) -> Forest {
        let pool: Vec<u32> = (0..y.len() as u32).filter(|&r| !skip[r as usize]).collect();
        let g: Vec<f64> = y.iter().map(|v| -v).collect();
        let h = vec![1.0; y.len()];
        let nf = b.n_features();
        let allowed: Vec<usize> = (0..nf).collect();
        // scikit-learn's rule: max(1, int(max_features · n_features))
        let k = ((p.max_features * nf as f64).floor() as usize).clamp(1, nf);
        let tp = TreeParams {
            max_leaves: usize::MAX,
            max_depth: p.max_depth,
            min_samples_leaf: p.min_samples_leaf,
            min_hessian: 0.0,
            lambda: 0.0,
            features_per_node: Some(k),
            depth_first: true,
            parallel: false,
            node_thresholds: true,
        };
        let grown: Vec<(Tree, Vec<f64>)> = parallel::install(|| {
            (0..p.n_estimators)
                .into_par_iter()
                .map(|t| {
                    let mut rng = Rng::new(p.seed, t as u64 + 1);
                    let out = if p.bootstrap {
                        // A bootstrap sample as per-row counts (weights): each distinct row
                        // is visited once, and min_samples_leaf counts distinct rows (as
                        // scikit-learn's does).
                        let m = ((p.max_samples * pool.len() as f64).round() as usize).max(1);
                        let mut counts = vec![0u32; y.len()];
                        for _ in 0..m {
                            counts[pool[rng.below(pool.len())] as usize] += 1;
                        }
                        let mut rows: Vec<u32> = (0..y.len() as u32)
                            .filter(|&r| counts[r as usize] > 0)
                            .collect();
                        let hw: Vec<f64> = counts.iter().map(|&c| f64::from(c)).collect();
                        let gw: Vec<f64> = hw.iter().zip(y).map(|(w, v)| -w * v).collect();
                        grow(b, &gw, &hw, &mut rows, &allowed, &tp, &mut rng)
                    } else {
                        let mut rows = pool.clone();
                        grow(b, &g, &h, &mut rows, &allowed, &tp, &mut rng)
                    };
                    progress.fetch_add(1, Ordering::Relaxed);
                    (out.tree, out.gains)
                })
                .collect()
        });
        if std::env::var_os("SHELFCAST_PROFILE").is_some() {
            let ns = |k: usize| {
                super::split::PROFILE_NS[k].load(std::sync::atomic::Ordering::Relaxed) as f64 / 1e9
            };
            let nodes: usize = grown.iter().map(|(t, _)| t.nodes.len()).sum();
            eprintln!(
                "forest: hist {:.2}s split {:.2}s partition {:.2}s (thread-seconds), {nodes} nodes",
                ns(0),
                ns(1),
                ns(2)
            );
        }
        let mut gains = vec![0.0; nf];
        let mut trees = Vec::with_capacity(grown.len());
        for (t, tg) in grown {
            for (a, v) in gains.iter_mut().zip(&tg) {
                *a += v;
            }
            trees.push(t);
        }
        Forest { trees, gains }
    }

    /// Mean prediction of the trees for a raw feature row.
    pub fn predict(&self, x: &[f64]) -> f64 {
        self.trees.iter().map(|t| t.predict(x)).sum::<f64>() / self.trees.len().max(1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::histogram::BinRule;

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
        let b = Binned::new(&x, n, 1, 255, BinRule::Midpoints);
        let p = ForestParams {
            n_estimators: 10,
            max_depth: 0,
            min_samples_leaf: 1,
            max_features: 1.0,
            bootstrap: true,
            max_samples: 1.0,
            max_bins: 255,
            seed: 1,
        };
        let skip = vec![false; n];
        let f1 = Forest::fit(&b, &y, &skip, &p, &AtomicUsize::new(0));
        let f2 = Forest::fit(&b, &y, &skip, &p, &AtomicUsize::new(0));
        assert_eq!(f1, f2);
        assert!((f1.predict(&[4.0]) - 8.0).abs() < 1e-9);
        assert!((f1.predict(&[f64::NAN]) - 3.0).abs() < 1e-9);
    }
}
