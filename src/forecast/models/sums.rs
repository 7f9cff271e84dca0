//! Summation in the orders statsforecast's numbers come from, so that sums of non-integer
//! values agree bit for bit: Eigen's vectorised reductions (its compiled core) and numpy's
//! pairwise summation (its Python code). Both differ from a left-to-right sum in the last
//! bits, which can flip an optimiser's comparison and so change fitted parameters.

/// Sum of `x` in the order Eigen 3.4 uses for a vectorised (SSE2: two lanes, two packets
/// in flight) reduction of an expression starting on an aligned element. Matching it makes
/// sums, and so objective values and optimiser decisions, identical to statsforecast's.
///
/// Quirk: where Eigen reduces a plain array (the series mean in the theta models' initial
/// state), the lanes start at the first 16-byte-aligned element, so statsforecast's result
/// depends on where numpy put the series in memory (a series sliced at an odd offset out
/// of a panel sums in another order). This assumes an aligned start, which is what a
/// freshly allocated array has; for integer-valued data every order gives the same sum.
pub fn eigen_sum(x: &[f64]) -> f64 {
    let n = x.len();
    let aligned = n / 2 * 2;
    if aligned == 0 {
        return x.iter().sum();
    }
    let (mut a0, mut a1) = (x[0], x[1]);
    if aligned > 2 {
        let (mut b0, mut b1) = (x[2], x[3]);
        let aligned2 = n / 4 * 4;
        for i in (4..aligned2).step_by(4) {
            a0 += x[i];
            a1 += x[i + 1];
            b0 += x[i + 2];
            b1 += x[i + 3];
        }
        a0 += b0;
        a1 += b1;
        if aligned > aligned2 {
            a0 += x[aligned2];
            a1 += x[aligned2 + 1];
        }
    }
    let mut s = a0 + a1;
    for v in &x[aligned..] {
        s += v;
    }
    s
}

/// numpy's pairwise summation (`np.sum` of float64): blocks of at most 128 summed with
/// eight interleaved accumulators, larger inputs split in halves (multiples of 8).
pub fn numpy_sum(x: &[f64]) -> f64 {
    let n = x.len();
    if n < 8 {
        return x.iter().fold(0.0, |s, v| s + v);
    }
    if n <= 128 {
        let mut r = [0.0; 8];
        r.copy_from_slice(&x[..8]);
        let mut i = 8;
        while i + 8 <= n {
            for (k, rk) in r.iter_mut().enumerate() {
                *rk += x[i + k];
            }
            i += 8;
        }
        let mut s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for v in &x[i..] {
            s += v;
        }
        return s;
    }
    let mut half = n / 2;
    half -= half % 8;
    numpy_sum(&x[..half]) + numpy_sum(&x[half..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eigen_order() {
        let x = [1e16, 1.0, -1e16, 1.0, 1.0];
        // lanes: (1e16 + -1e16) + (1 + 1) = 2, then + 1
        assert_eq!(eigen_sum(&x), 3.0);
        assert_eq!(eigen_sum(&[]), 0.0);
        assert_eq!(eigen_sum(&[2.5]), 2.5);
        let v: Vec<f64> = (1..=11).map(f64::from).collect();
        assert_eq!(eigen_sum(&v), 66.0);
    }

    #[test]
    fn pairwise_sum_order() {
        assert_eq!(numpy_sum(&[1.0, 2.0, 3.0]), 6.0);
        let v: Vec<f64> = (0..300).map(|i| f64::from(i) * 0.1).collect();
        assert!((numpy_sum(&v) - 4485.0).abs() < 1e-9);
    }
}
