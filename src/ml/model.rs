//! A fitted global model of any kind, its predictions, importances and binary encoding.

use super::boosting::Booster;
use super::forest::Forest;
use super::linear::Linear;
use super::objective::Objective;
use super::tree::{Node, Tree};
use crate::error::{Error, Result};
use crate::forecast::codec::{Reader, Writer};

/// A fitted global model.
#[derive(Debug, Clone, PartialEq)]
pub enum MlModel {
    /// Linear regression, ridge or GLM.
    Linear(Linear),
    /// Gradient-boosted trees.
    Boosting(Booster),
    /// Random forest.
    Forest(Forest),
}

impl MlModel {
    /// The prediction for a raw feature row.
    pub fn predict(&self, x: &[f64]) -> f64 {
        match self {
            MlModel::Linear(m) => m.predict(x),
            MlModel::Boosting(m) => m.predict(x),
            MlModel::Forest(m) => m.predict(x),
        }
    }

    /// [`MlModel::predict`] of every row of a row-major matrix `x` (`n_features` per row)
    /// into `out` (the same values; a forest walks its trees one at a time over all rows).
    pub fn predict_rows(&self, x: &[f64], n_features: usize, out: &mut [f64]) {
        match self {
            MlModel::Forest(m) => m.predict_rows(x, n_features, out),
            MlModel::Boosting(m) => m.predict_rows(x, n_features, out),
            _ => {
                for (o, row) in out.iter_mut().zip(x.chunks_exact(n_features.max(1))) {
                    *o = self.predict(row);
                }
            }
        }
    }

    /// Feature importances normalised to sum to 1 (split gain for trees, |coef|·std for
    /// linear models); all zeros when the model uses no feature.
    pub fn importances(&self) -> Vec<f64> {
        let raw = match self {
            MlModel::Linear(m) => m.importances(),
            MlModel::Boosting(m) => m.gains.clone(),
            MlModel::Forest(m) => m.gains.clone(),
        };
        let total: f64 = raw.iter().filter(|v| v.is_finite()).sum();
        raw.iter()
            .map(|v| {
                if total > 0.0 && v.is_finite() {
                    v / total
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// Append to a persisted blob.
    pub fn encode(&self, w: &mut Writer) {
        match self {
            MlModel::Linear(m) => {
                w.u8(1);
                w.f64s(&m.coef);
                w.f64(m.intercept);
                w.f64s(&m.means);
                w.f64s(&m.scales);
                w.u8(u8::from(m.log_link));
            }
            MlModel::Boosting(m) => {
                w.u8(2);
                let (code, p) = match m.objective {
                    Objective::Squared => (0, 0.0),
                    Objective::Poisson => (1, 0.0),
                    Objective::Tweedie(r) => (2, r),
                    Objective::Quantile(a) => (3, a),
                };
                w.u8(code);
                w.f64(p);
                w.f64(m.init);
                w.f64s(&m.gains);
                encode_trees(w, &m.trees);
            }
            MlModel::Forest(m) => {
                w.u8(3);
                w.f64s(&m.gains);
                encode_trees(w, &m.trees());
            }
        }
    }

    /// Read back what [`MlModel::encode`] wrote; `n_features` bounds feature indices.
    pub fn decode(r: &mut Reader<'_>, n_features: usize) -> Result<MlModel> {
        let check_len = |v: &Vec<f64>, what: &str| {
            if v.len() == n_features {
                Ok(())
            } else {
                Err(Error::Decode(format!(
                    "{what} has {} entries for {n_features} features",
                    v.len()
                )))
            }
        };
        match r.u8()? {
            1 => {
                let coef = r.f64s()?;
                let intercept = r.f64()?;
                let means = r.f64s()?;
                let scales = r.f64s()?;
                let log_link = r.u8()? != 0;
                for v in [&coef, &means, &scales] {
                    check_len(v, "linear model")?;
                }
                Ok(MlModel::Linear(Linear {
                    coef,
                    intercept,
                    means,
                    scales,
                    log_link,
                }))
            }
            2 => {
                let code = r.u8()?;
                let p = r.f64()?;
                let objective = match code {
                    0 => Objective::Squared,
                    1 => Objective::Poisson,
                    2 => Objective::Tweedie(p),
                    3 => Objective::Quantile(p),
                    c => return Err(Error::Decode(format!("unknown objective code {c}"))),
                };
                let init = r.f64()?;
                let gains = r.f64s()?;
                check_len(&gains, "boosting importances")?;
                let trees = decode_trees(r, n_features)?;
                Ok(MlModel::Boosting(Booster {
                    objective,
                    init,
                    trees,
                    gains,
                }))
            }
            3 => {
                let gains = r.f64s()?;
                check_len(&gains, "forest importances")?;
                let trees = decode_trees(r, n_features)?;
                Ok(MlModel::Forest(Forest::new(&trees, gains)))
            }
            t => Err(Error::Decode(format!("unknown model tag {t}"))),
        }
    }
}

fn encode_trees(w: &mut Writer, trees: &[Tree]) {
    w.u32(trees.len() as u32);
    for t in trees {
        w.u32(t.nodes.len() as u32);
        for n in &t.nodes {
            match *n {
                Node::Leaf(v) => {
                    w.u8(0);
                    w.f64(v);
                }
                Node::Split {
                    feature,
                    bin,
                    threshold,
                    nan_left,
                    left,
                    right,
                } => {
                    w.u8(1 + u8::from(nan_left));
                    w.u32(feature);
                    w.u8(bin);
                    w.f64(threshold);
                    w.u32(left);
                    w.u32(right);
                }
            }
        }
    }
}

fn decode_trees(r: &mut Reader<'_>, n_features: usize) -> Result<Vec<Tree>> {
    let n = r.u32()? as u64;
    let n = r.count(n, 4)?;
    let mut trees = Vec::with_capacity(n);
    for _ in 0..n {
        let m = r.u32()? as u64;
        let m = r.count(m, 9)?;
        let mut nodes = Vec::with_capacity(m);
        for i in 0..m {
            let tag = r.u8()?;
            if tag == 0 {
                nodes.push(Node::Leaf(r.f64()?));
                continue;
            }
            let feature = r.u32()?;
            let bin = r.u8()?;
            let threshold = r.f64()?;
            let (left, right) = (r.u32()?, r.u32()?);
            // children come after their parent, so a decoded tree cannot loop
            let bad = |c: u32| (c as usize) <= i || (c as usize) >= m;
            if tag > 2 || feature as usize >= n_features || bad(left) || bad(right) {
                return Err(Error::Decode(format!("invalid tree node {i}")));
            }
            nodes.push(Node::Split {
                feature,
                bin,
                threshold,
                nan_left: tag == 2,
                left,
                right,
            });
        }
        if nodes.is_empty() {
            return Err(Error::Decode("empty tree".into()));
        }
        trees.push(Tree { nodes });
    }
    Ok(trees)
}
