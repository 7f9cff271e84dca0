//! Element-wise evaluation of a scalar formula over equal-length argument columns (the
//! Python layer broadcasts and flattens first). Large batches run on the shared rayon pool;
//! an invalid element is reported with its index.

use crate::error::{Error, Result};
use crate::parallel;
use rayon::prelude::*;

/// Batches at least this long are split across threads.
const PARALLEL_MIN: usize = 2048;

/// Add the element index to an error from element `i` of a batch of `n`.
pub fn at_index(e: Error, i: usize, n: usize) -> Error {
    if n <= 1 {
        return e;
    }
    match e {
        Error::InvalidParameter { name, reason } => Error::InvalidParameter {
            name,
            reason: format!("{reason} (at index {i})"),
        },
        other => other,
    }
}

/// Evaluate `f` on every row of the `K` columns and return its `M` outputs as columns.
/// The first invalid row (lowest index) decides the error.
pub fn map<const K: usize, const M: usize, F>(args: [&[f64]; K], f: F) -> Result<[Vec<f64>; M]>
where
    F: Fn([f64; K]) -> Result<[f64; M]> + Sync,
{
    let n = args.first().map_or(0, |a| a.len());
    if let Some(bad) = args.iter().find(|a| a.len() != n) {
        return Err(Error::Shape(format!(
            "arguments disagree in length: {n} and {}",
            bad.len()
        )));
    }
    let row = |i: usize| f(std::array::from_fn(|k| args[k][i]));
    let rows: Vec<Result<[f64; M]>> = if n >= PARALLEL_MIN {
        parallel::install(|| (0..n).into_par_iter().map(row).collect())
    } else {
        (0..n).map(row).collect()
    };
    let mut out: [Vec<f64>; M] = std::array::from_fn(|_| Vec::with_capacity(n));
    for (i, r) in rows.into_iter().enumerate() {
        let values = r.map_err(|e| at_index(e, i, n))?;
        for (col, v) in out.iter_mut().zip(values) {
            col.push(v);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_and_names_the_index() {
        let a = [1.0, 4.0, 9.0];
        let [r] = map([&a], |[x]| Ok([x.sqrt()])).unwrap();
        assert_eq!(r, vec![1.0, 2.0, 3.0]);
        let b = [1.0, -1.0, 2.0];
        let e = map([&b], |[x]: [f64; 1]| {
            super::super::args::positive("x", x).map(|v| [v])
        })
        .unwrap_err();
        assert!(e.to_string().contains("at index 1"), "{e}");
        let big: Vec<f64> = (0..10_000).map(f64::from).collect();
        let [s] = map([&big], |[x]| Ok([2.0 * x])).unwrap();
        assert_eq!(s[9_999], 19_998.0);
    }
}
