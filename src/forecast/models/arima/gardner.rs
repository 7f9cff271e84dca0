//! Gardner, Harvey & Phillips (1980, Applied Statistics algorithm AS 154) for the initial
//! state covariance `Q₀` of the ARMA state-space form: the `np = r(r+1)/2` distinct entries
//! of `Q₀ = T Q₀ Tᵀ + R Rᵀ` solve a linear system whose rows are generated one at a time
//! (entries reordered to bring leading zeros into the rows) and absorbed into a triangular
//! factor by square-root-free Givens rotations (Gentleman 1974, AS 75); back substitution
//! gives the solution. For a pure MA model `Q₀` follows by accumulating `R Rᵀ` along the
//! diagonals. This is the computation behind R's and statsforecast's `getQ0`, so the
//! result agrees with theirs to the last bit.

// Index loops: the loops follow AS 154's index arithmetic, so the order of the floating-point
// operations (which the bit-for-bit agreement relies on) stays explicit.
#![allow(clippy::needless_range_loop)]

/// Fill `out` (`r × r`, `r = max(p, q + 1) > 1`) with `Q₀`; `work` is scratch.
pub fn gardner(phi: &[f64], theta: &[f64], out: &mut [f64], work: &mut Vec<f64>) {
    let (p, q) = (phi.len(), theta.len());
    let r = p.max(q + 1);
    let np = r * (r + 1) / 2;
    let nrbar = np * (np - 1) / 2;
    let need = 4 * np + nrbar;
    if work.len() < need {
        work.resize(need, 0.0);
    }
    let (v, rest) = work.split_at_mut(np);
    let (xnext, rest) = rest.split_at_mut(np);
    let (xrow, rest) = rest.split_at_mut(np);
    let (thetab, rest) = rest.split_at_mut(np);
    let rbar = &mut rest[..nrbar];
    let coef = |i: usize| {
        if i == 0 {
            1.0
        } else if i - 1 < q {
            theta[i - 1]
        } else {
            0.0
        }
    };
    let mut ind = 0;
    for j in 0..r {
        let vj = coef(j);
        for i in j..r {
            v[ind] = coef(i) * vj;
            ind += 1;
        }
    }
    // `out` holds the packed solution first (np ≤ r²), then the unpacked matrix.
    let pk = out;
    if p > 0 {
        rbar.fill(0.0);
        pk[..np].fill(0.0);
        thetab.fill(0.0);
        xnext.fill(0.0);
        let npr = np - r;
        let npr1 = npr + 1;
        let mut ind = 0usize;
        let mut ind1: isize = -1;
        let mut indj = npr;
        let mut ind2 = npr as isize - 1;
        for j in 0..r {
            let phij = if j < p { phi[j] } else { 0.0 };
            xnext[indj] = 0.0;
            indj += 1;
            let mut indi = npr1 + j;
            for i in j..r {
                let ynext = v[ind];
                ind += 1;
                let phii = if i < p { phi[i] } else { 0.0 };
                if j != r - 1 {
                    xnext[indj] = -phii;
                    if i != r - 1 {
                        xnext[indi] -= phij;
                        ind1 += 1;
                        xnext[ind1 as usize] = -1.0;
                    }
                }
                xnext[npr] = -phii * phij;
                ind2 += 1;
                if ind2 as usize >= np {
                    ind2 = 0;
                }
                xnext[ind2 as usize] += 1.0;
                include(xnext, xrow, ynext, &mut pk[..np], rbar, thetab);
                xnext[ind2 as usize] = 0.0;
                if i != r - 1 {
                    xnext[indi] = 0.0;
                    indi += 1;
                    xnext[ind1 as usize] = 0.0;
                }
            }
        }
        // Back substitution.
        let mut ithisr = nrbar;
        for im in (0..np).rev() {
            let mut bi = thetab[im];
            let mut jm = np;
            for _ in 0..(np - 1 - im) {
                ithisr -= 1;
                jm -= 1;
                bi -= rbar[ithisr] * pk[jm];
            }
            pk[im] = bi;
        }
        // Undo the reordering.
        xnext[..r].copy_from_slice(&pk[npr..npr + r]);
        for i in (0..npr).rev() {
            pk[i + r] = pk[i];
        }
        pk[..r].copy_from_slice(&xnext[..r]);
    } else {
        let mut indn = np;
        let mut ind = np;
        for i in 0..r {
            for j in 0..=i {
                ind -= 1;
                pk[ind] = v[ind];
                if j != 0 {
                    indn -= 1;
                    pk[ind] += pk[indn];
                }
            }
        }
    }
    // Unpack: packed entry order is (0,0..r-1), (1,1..r-1), ... by rows of the upper part.
    let mut ind = np;
    for i in (1..r).rev() {
        for j in (i..r).rev() {
            ind -= 1;
            pk[r * i + j] = pk[ind];
        }
    }
    for i in 0..r - 1 {
        for j in i + 1..r {
            pk[i + r * j] = pk[j + r * i];
        }
    }
}

/// Absorb the row `xnext` with right-hand side `ynext` into the factor (`d` diagonal,
/// `rbar` strict upper triangle by rows, `thetab` transformed right-hand side).
fn include(
    xnext: &[f64],
    xrow: &mut [f64],
    mut ynext: f64,
    d: &mut [f64],
    rbar: &mut [f64],
    thetab: &mut [f64],
) {
    let np = xnext.len();
    xrow.copy_from_slice(xnext);
    let mut ithisr = 0;
    for i in 0..np {
        if xrow[i] != 0.0 {
            let xi = xrow[i];
            let di = d[i];
            let dpi = di + xi * xi;
            d[i] = dpi;
            let cbar = di / dpi;
            let sbar = xi / dpi;
            for k in i + 1..np {
                let xk = xrow[k];
                let rbthis = rbar[ithisr];
                xrow[k] = xk - xi * rbthis;
                rbar[ithisr] = cbar * rbthis + sbar * xk;
                ithisr += 1;
            }
            let xk = ynext;
            ynext = xk - xi * thetab[i];
            thetab[i] = cbar * thetab[i] + sbar * xk;
            if di == 0.0 {
                return;
            }
        } else {
            ithisr += np - i - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statsforecast_bits() {
        // statsforecast.arima.getQ0(np.array([0.5, -0.2]), np.array([0.3, 0.1])).tolist()
        let mut out = vec![0.0; 9];
        gardner(&[0.5, -0.2], &[0.3, 0.1], &mut out, &mut Vec::new());
        let want = [
            1.735_294_117_647_058_4,
            0.172_058_823_529_411_7,
            0.1,
            0.172_058_823_529_411_7,
            0.129_411_764_705_882_17,
            0.029_999_999_999_999_943,
            0.1,
            0.029_999_999_999_999_943,
            0.009_999_999_999_999_898,
        ];
        assert_eq!(out, want);
    }
}
