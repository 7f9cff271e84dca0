//! Item classifications used in inventory planning.
//!
//! * ABC (Pareto on value): rank items by value, largest first (ties keep input order).
//!   An item is A when the items ranked above it hold **less than** a share `a` of the
//!   total, B when they hold less than `b`, else C. So A is the smallest top set whose
//!   value reaches `a`, and the top item is always A. Zero total value: every item is C.
//! * XYZ (variability): CV = population standard deviation / mean of units per period
//!   (zeros included). X when CV ≤ x, Y when CV ≤ z, else Z (also when the mean is 0).
//! * Syntetos–Boylan (2005) demand classes: ADI = periods / non-zero periods (the average
//!   inter-demand interval), CV² = (population std / mean)² of the non-zero demand sizes.
//!   ADI ≤ 1.32 and CV² ≤ 0.49: smooth; ADI ≤ 1.32, CV² > 0.49: erratic; ADI > 1.32,
//!   CV² ≤ 0.49: intermittent; both above: lumpy. No demand at all: `NoDemand`.

/// Syntetos–Boylan demand pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemandClass {
    /// Frequent, regular sizes.
    Smooth,
    /// Frequent, variable sizes.
    Erratic,
    /// Infrequent, regular sizes.
    Intermittent,
    /// Infrequent, variable sizes.
    Lumpy,
    /// No non-zero demand in the history.
    NoDemand,
}

impl DemandClass {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            DemandClass::Smooth => "smooth",
            DemandClass::Erratic => "erratic",
            DemandClass::Intermittent => "intermittent",
            DemandClass::Lumpy => "lumpy",
            DemandClass::NoDemand => "no_demand",
        }
    }
}

/// ABC class (0 = A, 1 = B, 2 = C) of every item; `values` must be finite and >= 0.
pub fn abc(values: &[f64], a: f64, b: f64) -> Vec<u8> {
    let total: f64 = values.iter().sum();
    let mut out = vec![2u8; values.len()];
    if total <= 0.0 {
        return out;
    }
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[j].total_cmp(&values[i]).then(i.cmp(&j)));
    let mut above = 0.0;
    for i in order {
        let share = above / total;
        out[i] = if share < a {
            0
        } else if share < b {
            1
        } else {
            2
        };
        above += values[i];
    }
    out
}

/// (mean, population variance) of a non-empty slice.
fn moments(y: &[f64]) -> (f64, f64) {
    let n = y.len() as f64;
    let mean = y.iter().sum::<f64>() / n;
    let var = y.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (mean, var)
}

/// Population coefficient of variation std/mean (ddof = 0); NaN for an empty series or a
/// zero mean.
pub fn cv(y: &[f64]) -> f64 {
    if y.is_empty() {
        return f64::NAN;
    }
    let (mean, var) = moments(y);
    if mean == 0.0 {
        return f64::NAN;
    }
    var.sqrt() / mean
}

/// XYZ class (0 = X, 1 = Y, 2 = Z) from a CV.
pub fn xyz(cv: f64, x: f64, z: f64) -> u8 {
    if cv <= x {
        0
    } else if cv <= z {
        1
    } else {
        2
    }
}

/// (ADI, CV²) of one series: periods per non-zero period, and the squared population CV
/// of the non-zero sizes. Both NaN without demand.
pub fn adi_cv2(y: &[f64]) -> (f64, f64) {
    let sizes: Vec<f64> = y.iter().copied().filter(|&v| v != 0.0).collect();
    if sizes.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let adi = y.len() as f64 / sizes.len() as f64;
    let (mean, var) = moments(&sizes);
    (adi, var / (mean * mean))
}

/// Syntetos–Boylan class from (ADI, CV²) and the cut-offs (1.32 and 0.49 in the paper).
pub fn demand_class(adi: f64, cv2: f64, adi_cut: f64, cv2_cut: f64) -> DemandClass {
    if adi.is_nan() {
        return DemandClass::NoDemand;
    }
    match (adi > adi_cut, cv2 > cv2_cut) {
        (false, false) => DemandClass::Smooth,
        (false, true) => DemandClass::Erratic,
        (true, false) => DemandClass::Intermittent,
        (true, true) => DemandClass::Lumpy,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abc_at_the_thresholds() {
        // shares 0.5, 0.3, 0.15, 0.05: above = 0, 0.5, 0.8, 0.95
        let v = [30.0, 50.0, 5.0, 15.0];
        assert_eq!(abc(&v, 0.8, 0.95), vec![0, 0, 2, 1]);
        // the item whose predecessors hold exactly `a` is B (strictly less than)
        assert_eq!(abc(&v, 0.5, 0.95), vec![1, 0, 2, 1]);
        assert_eq!(abc(&[10.0], 0.8, 0.95), vec![0]);
        assert_eq!(abc(&[0.0, 0.0], 0.8, 0.95), vec![2, 2]);
        // ties keep input order
        assert_eq!(abc(&[1.0, 1.0], 0.5, 0.9), vec![0, 1]);
    }

    #[test]
    fn xyz_and_cv() {
        assert_eq!(cv(&[1.0, 3.0]), 0.5);
        assert_eq!(xyz(0.5, 0.5, 1.0), 0);
        assert_eq!(xyz(1.0, 0.5, 1.0), 1);
        assert_eq!(xyz(1.0000001, 0.5, 1.0), 2);
        assert_eq!(xyz(f64::NAN, 0.5, 1.0), 2);
        assert!(cv(&[0.0, 0.0]).is_nan());
    }

    #[test]
    fn syntetos_boylan() {
        // 33 periods, 25 with demand: ADI = 1.32 exactly -> not above the cut-off
        let mut y = vec![0.0; 33];
        for v in y.iter_mut().take(25) {
            *v = 4.0;
        }
        let (adi, cv2) = adi_cv2(&y);
        assert_eq!((adi, cv2), (1.32, 0.0));
        assert_eq!(demand_class(adi, cv2, 1.32, 0.49), DemandClass::Smooth);
        // sizes 17 and 3: CV² = (7/10)² = 0.49 exactly
        let (_, cv2) = adi_cv2(&[17.0, 3.0]);
        assert_eq!(cv2, 0.49);
        assert_eq!(demand_class(1.0, cv2, 1.32, 0.49), DemandClass::Smooth);
        assert_eq!(demand_class(1.33, 0.5, 1.32, 0.49), DemandClass::Lumpy);
        assert_eq!(demand_class(1.0, 0.5, 1.32, 0.49), DemandClass::Erratic);
        assert_eq!(
            demand_class(2.0, 0.1, 1.32, 0.49),
            DemandClass::Intermittent
        );
        let (adi, cv2) = adi_cv2(&[0.0, 0.0]);
        assert_eq!(demand_class(adi, cv2, 1.32, 0.49), DemandClass::NoDemand);
    }
}
