//! Histogram gradient boosting (LightGBM-style, written natively): leaf-wise trees on
//! binned features, shrinkage, per-tree feature and row subsampling, early stopping on
//! a validation tail of every series, and the objectives of `objective.rs`.

use super::boost_grow::{
    grow, ByRow, Inline, Packed, Rec, RowCells, Sample, TreeParams, PROFILE_NS,
};
use super::histogram::Binned;
use super::objective::{quantile, Objective};
use super::rng::Rng;
use super::spec::BoostingParams;
use super::tree::{Node, Tree};
use crate::error::{Error, Result};
use crate::parallel;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

/// Rows walking a tree together in [`Booster::predict_rows`].
const LANES: usize = 8;

/// Rows per part of the parallel score update.
const UPDATE_PART: usize = 16_384;

/// `v` in parts of [`UPDATE_PART`] (an empty `v`: endless empty parts).
fn parts<T>(v: &mut [T]) -> Box<dyn Iterator<Item = &mut [T]> + '_> {
    if v.is_empty() {
        Box::new(std::iter::repeat_with(|| &mut [][..]))
    } else {
        Box::new(v.chunks_mut(UPDATE_PART))
    }
}

/// A fitted boosted ensemble.
#[derive(Debug, Clone, PartialEq)]
pub struct Booster {
    /// The loss (gives the link).
    pub objective: Objective,
    /// Starting raw score.
    pub init: f64,
    /// Trees (leaf values already shrunk).
    pub trees: Vec<Tree>,
    /// Total split gain per feature.
    pub gains: Vec<f64>,
}

impl Booster {
    /// Fit on binned features `b` and target `y`; rows with `valid[r]` are held out for
    /// early stopping. `progress` counts finished trees.
    pub fn fit(
        b: &Binned,
        y: &[f64],
        valid: &[bool],
        p: &BoostingParams,
        progress: &AtomicUsize,
    ) -> Result<Booster> {
        let obj = p.objective;
        if obj.needs_non_negative() {
            if let Some(r) = y.iter().position(|&v| v < 0.0) {
                return Err(Error::param(
                    "objective",
                    format!("poisson/tweedie need a non-negative target, got {} (row {r}); drop target transforms that make it negative", y[r]),
                ));
            }
        }
        // The whole fit runs on the pool: its many short parallel phases (three per split)
        // then start from a worker thread instead of each waking the pool from outside
        // and waiting for it (two thread wake-ups per phase).
        // Records as small as the features allow (see `Packed`, `Inline`).
        parallel::install(|| match (&b.sparse, b.n_features()) {
            (Some(_), 0..=10) => Self::fit_with::<Packed<10>>(b, y, valid, p, progress),
            (Some(_), 11..=16) => Self::fit_with::<Packed<16>>(b, y, valid, p, progress),
            (Some(_), 17..=25) => Self::fit_with::<Inline<25>>(b, y, valid, p, progress),
            (Some(_), 26..=57) => Self::fit_with::<Inline<57>>(b, y, valid, p, progress),
            _ => Self::fit_with::<ByRow>(b, y, valid, p, progress),
        })
    }

    /// [`Booster::fit`] with records of row cells `C` (called inside the pool: its
    /// parallel iterators run there).
    fn fit_with<C: RowCells>(
        b: &Binned,
        y: &[f64],
        valid: &[bool],
        p: &BoostingParams,
        progress: &AtomicUsize,
    ) -> Result<Booster> {
        let n = y.len();
        let obj = p.objective;
        let train: Vec<u32> = (0..n as u32).filter(|&r| !valid[r as usize]).collect();
        let valid_rows: Vec<u32> = (0..n as u32).filter(|&r| valid[r as usize]).collect();
        if train.is_empty() {
            return Err(Error::param("validation_size", "leaves no training rows"));
        }
        let ytrain: Vec<f64> = train.iter().map(|&r| y[r as usize]).collect();
        let init = obj.init(&ytrain);
        let mut f = vec![init; n];
        let mut sample: Sample<C> = Sample::default();
        // every row's cells, copied (a fixed-size copy) into the tree's records
        let cells: Vec<C> = (0..n)
            .into_par_iter()
            .with_min_len(4096)
            .map(|r| C::of(b, r))
            .collect();
        let nf = b.n_features();
        let tp = TreeParams {
            max_leaves: p.num_leaves,
            max_depth: p.max_depth,
            min_samples_leaf: p.min_samples_leaf,
            min_hessian: 1e-3,
            lambda: p.l2_regularization,
            parallel: true,
        };
        let mut rng = Rng::new(p.seed, 0x6B6F);
        let mut trees = Vec::with_capacity(p.n_estimators);
        let mut gains = vec![0.0; nf];
        let mut tree_gains = Vec::with_capacity(p.n_estimators);
        let (mut best_loss, mut best_iter) = (f64::INFINITY, 0usize);
        let leaf_of: Vec<AtomicU32> = (0..n).map(|_| AtomicU32::new(0)).collect();
        let mut rows: Vec<u32> = Vec::with_capacity(train.len());
        let exps = obj.log_exponents();
        let (k1, k2) = exps.unwrap_or((0.0, 0.0));
        let (mut e1, mut e2) = if exps.is_some() {
            (vec![(k1 * init).exp(); n], vec![(k2 * init).exp(); n])
        } else {
            (Vec::new(), Vec::new())
        };
        // gradient and hessian of a row from its target, score and (log-link objectives)
        // cached exponentials
        let grad_of = |yi: f64, fi: f64, a1: f64, a2: f64| {
            let (g, h) = if exps.is_some() {
                obj.grad_hess_exp(yi, a1, a2)
            } else {
                obj.grad_hess(fi, yi)
            };
            [g as f32, h as f32]
        };
        // Every row in every tree: the update writes the next tree's records directly.
        // Otherwise every row's (gradient, hessian), copied into the tree's records.
        let direct = train.len() == n && p.bagging_fraction >= 1.0;
        let mut gh = if direct {
            Vec::new()
        } else {
            vec![[0.0f32; 2]; n]
        };
        let prof = std::env::var_os("SHELFCAST_PROFILE").is_some();
        let mut times = [0.0f64; 4];
        for it in 0..p.n_estimators {
            let t0 = std::time::Instant::now();
            if it == 0 && !direct {
                // later rounds' gradients come with the score update below
                gh.par_iter_mut().enumerate().for_each(|(r, p)| {
                    let (a1, a2) = e1.get(r).zip(e2.get(r)).unwrap_or((&0.0, &0.0));
                    *p = grad_of(y[r], f[r], *a1, *a2);
                });
            }
            // one row buffer for every round (a fresh 4-byte-per-row vector per tree would
            // be new pages the kernel zeroes every time)
            rows.clear();
            if p.bagging_fraction < 1.0 {
                rows.extend(
                    train
                        .iter()
                        .copied()
                        .filter(|_| rng.uniform() < p.bagging_fraction),
                );
            } else {
                rows.extend_from_slice(&train);
            }
            let allowed: Vec<usize> = if p.feature_fraction < 1.0 {
                let k = ((p.feature_fraction * nf as f64).round() as usize).clamp(1, nf);
                rng.choose(nf, k)
            } else {
                (0..nf).collect()
            };
            let t1 = std::time::Instant::now();
            // the sampled rows' records, in row order (made by the previous round's update
            // when every row is in the tree)
            if !(direct && it > 0) {
                sample.recs[0].resize(rows.len(), Rec::EMPTY);
                sample.recs[0]
                    .par_iter_mut()
                    .zip(rows.par_iter())
                    .with_min_len(4096)
                    .for_each(|(rec, &r)| {
                        let r = r as usize;
                        let [g, h] = if direct {
                            let (a1, a2) = e1.get(r).zip(e2.get(r)).unwrap_or((&0.0, &0.0));
                            grad_of(y[r], f[r], *a1, *a2)
                        } else {
                            gh[r]
                        };
                        *rec = Rec::with(g, h, cells[r]);
                    });
            }
            sample.rows[0].clear();
            sample.rows[0].extend_from_slice(&rows);
            let mut grown = grow(b, &mut sample, &allowed, &tp);
            let t2 = std::time::Instant::now();
            if let Objective::Quantile(alpha) = obj {
                for l in &grown.leaves {
                    let mut res: Vec<f64> = sample
                        .rows_of(l)
                        .iter()
                        .map(|&r| y[r as usize] - f[r as usize])
                        .collect();
                    grown.tree.nodes[l.node] = Node::Leaf(quantile(&mut res, alpha));
                }
            }
            grown.tree.scale(p.learning_rate);
            // Each row's leaf: sampled rows from the leaves' row ranges, the others (bagging)
            // down the tree; then one parallel pass updates the scores (and, for log-link
            // objectives, the cached exponentials by the leaf's factor).
            let tree = &grown.tree;
            let per_node: Vec<[f64; 3]> = tree
                .nodes
                .iter()
                .map(|nd| match *nd {
                    Node::Leaf(v) => [v, (k1 * v).exp(), (k2 * v).exp()],
                    Node::Split { .. } => [0.0, 1.0, 1.0],
                })
                .collect();
            if rows.len() < n {
                leaf_of.par_iter().enumerate().for_each(|(r, l)| {
                    l.store(tree.leaf_binned(b, r) as u32, Ordering::Relaxed);
                });
            } else {
                // the leaves' rows are disjoint: parallel stores (relaxed atomics are
                // plain stores here, and keep the scattered writes safe)
                grown.leaves.par_iter().for_each(|l| {
                    for &r in sample.rows_of(l) {
                        leaf_of[r as usize].store(l.node as u32, Ordering::Relaxed);
                    }
                });
            }
            // New scores, and with them the next round's gradients (one pass over the rows),
            // written straight into the next tree's records when every row is in it.
            if direct {
                sample.recs[0].resize(n, Rec::EMPTY);
            }
            let recs0: &mut [Rec<C>] = if direct { &mut sample.recs[0] } else { &mut [] };
            let ghs: &mut [[f32; 2]] = if direct { &mut [] } else { &mut gh };
            let jobs: Vec<_> = parts(&mut f)
                .zip(parts(&mut e1).zip(parts(&mut e2)))
                .zip(parts(ghs).zip(parts(recs0)))
                .enumerate()
                .collect();
            jobs.into_par_iter()
                .for_each(|(k, ((fs, (a1s, a2s)), (ghk, rk)))| {
                    for (i, fr) in fs.iter_mut().enumerate() {
                        let r = k * UPDATE_PART + i;
                        let [v, m1, m2] = per_node[leaf_of[r].load(Ordering::Relaxed) as usize];
                        *fr += v;
                        let (a1, a2) = if exps.is_some() {
                            a1s[i] *= m1;
                            a2s[i] *= m2;
                            (a1s[i], a2s[i])
                        } else {
                            (0.0, 0.0)
                        };
                        let [g, h] = grad_of(y[r], *fr, a1, a2);
                        if direct {
                            rk[i] = Rec::with(g, h, cells[r]);
                        } else {
                            ghk[i] = [g, h];
                        }
                    }
                });
            let t3 = std::time::Instant::now();
            times[0] += (t1 - t0).as_secs_f64();
            times[1] += (t2 - t1).as_secs_f64();
            times[2] += (t3 - t2).as_secs_f64();
            trees.push(grown.tree);
            tree_gains.push(grown.gains);
            progress.fetch_add(1, Ordering::Relaxed);
            if p.early_stopping_rounds > 0 && !valid_rows.is_empty() {
                let loss = valid_rows
                    .iter()
                    .map(|&r| obj.loss(f[r as usize], y[r as usize]))
                    .sum::<f64>()
                    / valid_rows.len() as f64;
                if loss < best_loss - 1e-12 * best_loss.abs() {
                    best_loss = loss;
                    best_iter = it + 1;
                } else if it + 1 - best_iter >= p.early_stopping_rounds {
                    break;
                }
            } else {
                best_iter = it + 1;
            }
        }
        if prof {
            let ns = |k: usize| PROFILE_NS[k].load(Ordering::Relaxed) as f64 / 1e9;
            eprintln!(
                "boosting: grad {:.2}s grow {:.2}s (hist {:.2}s, split {:.2}s, partition {:.2}s) update {:.2}s, hist rows {}, partition rows {}",
                times[0],
                times[1],
                ns(0),
                ns(1),
                ns(2),
                times[2],
                PROFILE_NS[3].load(Ordering::Relaxed),
                PROFILE_NS[4].load(Ordering::Relaxed)
            );
        }
        trees.truncate(best_iter.max(1));
        for tg in tree_gains.iter().take(trees.len()) {
            for (a, v) in gains.iter_mut().zip(tg) {
                *a += v;
            }
        }
        Ok(Booster {
            objective: obj,
            init,
            trees,
            gains,
        })
    }

    /// Predictions for row-major rows `x` (`n_features` each) into `out`: tree by tree
    /// over all the rows (each tree stays in cache while the rows walk it), the same
    /// values as [`Booster::predict`] row by row.
    pub fn predict_rows(&self, x: &[f64], n_features: usize, out: &mut [f64]) {
        out.fill(0.0);
        let nf = n_features.max(1);
        for t in &self.trees {
            // LANES rows walk the tree together, one level per pass, so their chains of
            // dependent loads overlap (the same leaves, so the same sums)
            for (o, rows) in out.chunks_mut(LANES).zip(x.chunks(LANES * nf)) {
                let mut at = [0usize; LANES];
                loop {
                    let mut moving = false;
                    for (j, i) in at.iter_mut().enumerate().take(o.len()) {
                        if let Node::Split {
                            feature,
                            threshold,
                            nan_left,
                            left,
                            right,
                            ..
                        } = t.nodes[*i]
                        {
                            let v = rows[j * nf + feature as usize];
                            let go_left = if v.is_nan() { nan_left } else { v <= threshold };
                            *i = if go_left { left } else { right } as usize;
                            moving = true;
                        }
                    }
                    if !moving {
                        break;
                    }
                }
                for (oj, &i) in o.iter_mut().zip(&at) {
                    if let Node::Leaf(v) = t.nodes[i] {
                        *oj += v;
                    }
                }
            }
        }
        for o in out.iter_mut() {
            *o = self.objective.link(self.init + *o);
        }
    }

    /// The prediction for a raw feature row.
    pub fn predict(&self, x: &[f64]) -> f64 {
        let raw = self.init + self.trees.iter().map(|t| t.predict(x)).sum::<f64>();
        self.objective.link(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::ModelParams;
    use crate::ml::spec::MlSpec;

    fn params(obj: &str) -> BoostingParams {
        let mut p = ModelParams::named("GradientBoosting")
            .with("n_estimators", 50.0)
            .with("min_samples_leaf", 2.0);
        p.text.insert("objective".into(), obj.into());
        match MlSpec::check(&p).unwrap() {
            MlSpec::GradientBoosting(b) => b,
            _ => unreachable!(),
        }
    }

    fn data() -> (Vec<f64>, Vec<f64>) {
        // y depends on x0 (step) and x1 (linear), with missing x0 values
        let n = 400;
        let mut x = Vec::with_capacity(n * 2);
        let mut y = Vec::with_capacity(n);
        for i in 0..n {
            let x0 = if i % 17 == 0 {
                f64::NAN
            } else {
                (i % 10) as f64
            };
            let x1 = (i % 7) as f64;
            x.extend([x0, x1]);
            let base = if x0.is_nan() {
                8.0
            } else if x0 > 4.0 {
                5.0
            } else {
                1.0
            };
            y.push(base + 0.5 * x1);
        }
        (x, y)
    }

    #[test]
    fn fits_every_objective_and_is_deterministic() {
        let (x, y) = data();
        let b = Binned::new(&x, y.len(), 2, 255);
        let valid = vec![false; y.len()];
        for obj in ["squared_error", "poisson", "tweedie", "quantile"] {
            let mut p = params(obj);
            p.bagging_fraction = 0.8;
            p.feature_fraction = 0.5;
            p.seed = 3;
            let m = Booster::fit(&b, &y, &valid, &p, &AtomicUsize::new(0)).unwrap();
            let m2 = Booster::fit(&b, &y, &valid, &p, &AtomicUsize::new(0)).unwrap();
            assert_eq!(m, m2, "{obj}");
            // scoring many rows tree by tree gives the row-by-row values exactly
            let mut batch = vec![0.0; y.len()];
            m.predict_rows(&x, 2, &mut batch);
            // and with a partial group of lanes at the end
            let mut part = vec![0.0; y.len() - 3];
            m.predict_rows(&x[..2 * part.len()], 2, &mut part);
            assert_eq!(part[..], batch[..part.len()]);
            for r in 0..y.len() {
                assert_eq!(batch[r], m.predict(&x[2 * r..2 * r + 2]), "{obj} row {r}");
            }
            let mae: f64 = (0..y.len())
                .map(|r| (m.predict(&x[2 * r..2 * r + 2]) - y[r]).abs())
                .sum::<f64>()
                / y.len() as f64;
            assert!(mae < 0.6, "{obj}: mae {mae}");
        }
    }

    #[test]
    fn early_stopping_truncates() {
        let (x, y) = data();
        let b = Binned::new(&x, y.len(), 2, 255);
        let valid: Vec<bool> = (0..y.len()).map(|r| r % 5 == 0).collect();
        let mut p = params("squared_error");
        p.n_estimators = 500;
        p.early_stopping_rounds = 5;
        let m = Booster::fit(&b, &y, &valid, &p, &AtomicUsize::new(0)).unwrap();
        assert!(m.trees.len() < 500);
        let neg: Vec<f64> = y.iter().map(|v| -v).collect();
        assert!(Booster::fit(&b, &neg, &valid, &params("poisson"), &AtomicUsize::new(0)).is_err());
    }
}
