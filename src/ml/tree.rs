//! Regression trees as fitted (shared by gradient boosting and the random forest, and
//! by their persistence): nodes testing one feature against a raw-value threshold, with
//! missing values sent to a learnt side. Growing them: `boost_grow.rs` (boosting) and
//! `forest_grow.rs` (forest).

use super::histogram::Binned;

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
