//! Estimation of one ETS model by maximum likelihood (Nelder–Mead over the smoothing
//! parameters and the initial states together) and selection among the candidate models
//! of a specification by AICc, in statsforecast's order (the first of equal AICc wins).

use super::init::{self, Bounds};
use super::nelder_mead::{self, Settings, Workspace, LANES};
use super::recursion::{self, Smoothing};
use super::spec::{Comp, EtsSpec, Kind};
use super::state::{EtsInit, EtsState};

/// One estimated model.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// The fitted state.
    pub state: EtsState,
    /// The estimated initial states (frozen for refiltering).
    pub init: EtsInit,
    /// Corrected Akaike information criterion.
    pub aicc: f64,
    /// RMS of the in-sample one-step errors in the data's units.
    pub rmse: f64,
}

/// Scratch reused by every model fitted on one series.
#[derive(Debug, Default)]
struct Scratch {
    ring: Vec<f64>,
    nm: Workspace,
}

/// Smoothing parameters from the optimised vector `x` (alpha, beta?, gamma?, phi?, ...).
fn smoothing(kind: Kind, x: &[f64]) -> Smoothing {
    let mut it = x.iter().copied();
    let mut next_if = |has: bool, default: f64| {
        if has {
            it.next().unwrap_or(default)
        } else {
            default
        }
    };
    Smoothing {
        alpha: next_if(true, 0.0),
        beta: next_if(kind.trend != Comp::N, 0.0),
        gamma: next_if(kind.season != Comp::N, 0.0),
        phi: next_if(kind.damped, 1.0),
    }
}

/// Write one lane's seasonal states into `ring`, which interleaves `lanes` lanes (state
/// `k` of lane `j` at `k * lanes + j`), in order of use, from the m − 1 free seeds (newest
/// first, as in statsforecast's state vector); the oldest state is implied by the
/// normalisation (sum 0, or m when multiplicative). Returns false for a negative
/// multiplicative state.
fn load_ring(seeds: &[f64], season: Comp, ring: &mut [f64], lanes: usize, lane: usize) -> bool {
    let m = seeds.len() + 1;
    let total = if season == Comp::M { m as f64 } else { 0.0 };
    let implied = total - seeds.iter().sum::<f64>();
    ring[lane] = implied;
    for k in 1..m {
        ring[k * lanes + lane] = seeds[m - 1 - k];
    }
    season != Comp::M || (implied >= 0.0 && seeds.iter().all(|&s| s >= 0.0))
}

/// A parameter vector (smoothing parameters, then initial states) taken apart.
struct Point<'a> {
    smoothing: Smoothing,
    level: f64,
    slope: f64,
    seeds: &'a [f64],
}

fn point(kind: Kind, n_smooth: usize, x: &[f64]) -> Point<'_> {
    let states = &x[n_smooth..];
    let has_trend = kind.trend != Comp::N;
    Point {
        smoothing: smoothing(kind, x),
        level: states[0],
        slope: if has_trend { states[1] } else { 0.0 },
        seeds: &states[1 + usize::from(has_trend)..],
    }
}

/// The optimiser's objective at [`LANES`] points: statsforecast's likelihood criterion,
/// floored at −1e10 (no reward for perfect fits beyond that). Deliberate difference: a
/// recursion that breaks down (NaN) scores +∞ (as in R's forecast::ets), where
/// statsforecast 2.1 scores −∞.
fn objective(
    kind: Kind,
    n_smooth: usize,
    xs: [&[f64]; LANES],
    y: &[f64],
    ring: &mut [f64],
) -> [f64; LANES] {
    let points = xs.map(|x| point(kind, n_smooth, x));
    let mut ok = [true; LANES];
    if kind.season != Comp::N {
        for (j, pt) in points.iter().enumerate() {
            ok[j] = load_ring(pt.seeds, kind.season, ring, LANES, j);
        }
    }
    let p = std::array::from_fn(|j| points[j].smoothing);
    let level = points.each_ref().map(|pt| pt.level);
    let slope = points.each_ref().map(|pt| pt.slope);
    let passes = recursion::run_lanes(kind, &p, level, slope, ring, y);
    std::array::from_fn(|j| {
        let lik = passes[j].lik;
        if !ok[j] || lik.is_nan() {
            f64::INFINITY
        } else {
            lik.max(-1e10)
        }
    })
}

/// Estimate `kind` on `y` (season length `m`, ignored without a season). `None` when the
/// model cannot be started or has too many parameters for the data (statsforecast: AICc
/// of infinity), or when its final likelihood is not a number.
fn estimate(
    kind: Kind,
    y: &[f64],
    m: usize,
    bounds: &mut Bounds,
    sc: &mut Scratch,
) -> Option<Estimate> {
    let m = if kind.season == Comp::N { 1 } else { m };
    let start = bounds.start(kind, m);
    let states = init::states(y, m, kind.trend, kind.season)?;
    let n_smooth = start.x0.len();
    let n_params = n_smooth + states.len();
    let n = y.len();
    if n_params + 1 >= n {
        return None;
    }
    let mut x0 = start.x0;
    x0.extend_from_slice(&states);
    let mut lower = start.lower;
    let mut upper = start.upper;
    lower.resize(n_params, f64::NEG_INFINITY);
    upper.resize(n_params, f64::INFINITY);
    let ring_len = if kind.season == Comp::N { 0 } else { m };
    sc.ring.resize(ring_len * LANES, 0.0);
    let best = nelder_mead::minimize(
        |xs| objective(kind, n_smooth, xs, y, &mut sc.ring),
        &x0,
        &lower,
        &upper,
        &Settings::default(),
        &mut sc.nm,
    );
    // Final pass at the optimum: likelihood, residual variance and the last states.
    let pt = point(kind, n_smooth, &best.x);
    let ring = &mut sc.ring[..ring_len];
    if kind.season != Comp::N {
        load_ring(pt.seeds, kind.season, ring, 1, 0);
    }
    let init = EtsInit {
        level: pt.level,
        slope: pt.slope,
        season: ring.to_vec(),
    };
    let pass = recursion::run(kind, &pt.smoothing, pt.level, pt.slope, ring, y);
    if pass.lik.is_nan() {
        return None;
    }
    let k = (n_params + 1) as f64;
    let nf = n as f64;
    let aicc = if nf - k - 1.0 == 0.0 {
        f64::INFINITY
    } else {
        pass.lik + 2.0 * k + 2.0 * k * (k + 1.0) / (nf - k - 1.0)
    };
    let shift = n % ring.len().max(1);
    let season: Vec<f64> = (0..ring.len())
        .map(|i| ring[(shift + i) % ring.len()])
        .collect();
    Some(Estimate {
        state: EtsState {
            kind,
            smoothing: pt.smoothing,
            level: pass.level,
            slope: pass.slope,
            season,
            sigma2: pass.sse / (nf - k - 1.0),
        },
        init,
        aicc,
        rmse: (pass.sse_units / nf).sqrt(),
    })
}

/// Fit every candidate of `spec` and keep the one with the smallest AICc. `None` when the
/// series is too short for the specification (statsforecast: n ≤ parameters + 4) or no
/// candidate could be estimated.
pub fn search(spec: &EtsSpec, y: &[f64], positive: bool) -> Option<Estimate> {
    if y.len() <= spec.n_basic_params() + 4 {
        return None;
    }
    let mut bounds = Bounds::default();
    let mut sc = Scratch::default();
    let mut best: Option<Estimate> = None;
    for kind in spec.candidates(positive) {
        let Some(est) = estimate(kind, y, spec.season_length, &mut bounds, &mut sc) else {
            continue;
        };
        if est.aicc < best.as_ref().map_or(f64::INFINITY, |b| b.aicc) {
            best = Some(est);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(n: usize) -> Vec<f64> {
        // Weekly pattern on a slow trend plus deterministic noise.
        let pattern = [5.0, 3.0, 2.0, 4.0, 6.0, 9.0, 1.0];
        (0..n)
            .map(|t| 20.0 + 0.05 * t as f64 + pattern[t % 7] + ((t * 7919) % 13) as f64 / 6.0)
            .collect()
    }

    #[test]
    fn selects_a_seasonal_model_for_seasonal_data() {
        let y = series(140);
        let spec = EtsSpec::new(7, "ZZZ", None).unwrap();
        let est = search(&spec, &y, true).unwrap();
        assert_ne!(est.state.kind.season, Comp::N, "{:?}", est.state.kind);
        assert_eq!(est.state.season.len(), 7);
        assert!(
            est.aicc.is_finite() && est.rmse > 0.0 && est.rmse < 2.0,
            "{}",
            est.rmse
        );
        let mut f = [0.0; 7];
        est.state.forecast_into(&mut f);
        let expected: Vec<f64> = series(147)[140..].to_vec();
        for (a, b) in f.iter().zip(&expected) {
            assert!((a - b).abs() < 3.0, "{f:?} vs {expected:?}");
        }
    }

    #[test]
    fn too_short_or_overparameterised_gives_none() {
        let spec = EtsSpec::new(7, "AAA", Some(false)).unwrap();
        assert!(search(&spec, &series(10), true).is_none());
        // 11 observations, 11 parameters: 3 smoothing, level, growth, 6 seasonal states.
        assert!(search(&spec, &series(11), true).is_none());
        let ann = EtsSpec::new(7, "ANN", None).unwrap();
        assert!(search(&ann, &series(8), true).is_some());
    }

    #[test]
    fn ring_holds_the_implied_state_first() {
        let mut ring = [0.0; 6];
        assert!(load_ring(&[1.0, 2.0], Comp::A, &mut ring, 2, 1));
        assert_eq!(ring, [0.0, -3.0, 0.0, 2.0, 0.0, 1.0]);
        assert!(!load_ring(&[1.0, 2.5], Comp::M, &mut ring, 1, 0));
    }
}
