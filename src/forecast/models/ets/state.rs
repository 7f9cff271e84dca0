//! A fitted ETS model as it is kept and persisted: the model, its smoothing parameters, the
//! states after the last observation and the residual variance. That is everything needed
//! for point forecasts at any horizon, and later for analytic intervals or simulated paths.

use super::recursion::{Smoothing, TOL};
use super::spec::{Comp, Kind};
use crate::error::{Error, Result};
use crate::forecast::codec::{Reader, Writer};

/// The initial states an ETS fit estimated, frozen for refiltering: level, growth (0
/// without a trend) and the `m` seasonal states in order of use from the first
/// observation (empty without a season).
#[derive(Debug, Clone, PartialEq)]
pub struct EtsInit {
    /// Initial level.
    pub level: f64,
    /// Initial growth.
    pub slope: f64,
    /// Initial seasonal states, `season[t % m]` seasonalising observation `t` of the first
    /// season.
    pub season: Vec<f64>,
}

impl EtsInit {
    /// Append to a persisted blob.
    pub fn encode(&self, w: &mut Writer) {
        w.f64(self.level);
        w.f64(self.slope);
        w.f64s(&self.season);
    }

    /// Read back what [`EtsInit::encode`] wrote.
    pub fn decode(r: &mut Reader<'_>) -> Result<EtsInit> {
        Ok(EtsInit {
            level: r.f64()?,
            slope: r.f64()?,
            season: r.f64s()?,
        })
    }
}

/// The fitted state of one ETS model.
#[derive(Debug, Clone, PartialEq)]
pub struct EtsState {
    /// Which model.
    pub kind: Kind,
    /// Smoothing parameters (beta 0 without a trend, gamma 0 without a season, phi 1
    /// without damping).
    pub smoothing: Smoothing,
    /// Level after the last observation.
    pub level: f64,
    /// Growth after the last observation (0 without a trend).
    pub slope: f64,
    /// Seasonal states in order of use: `season[k % m]` seasonalises forecast step k + 1.
    /// Empty without a season.
    pub season: Vec<f64>,
    /// Residual variance `Σe² / (n − k − 1)` with `k` the number of estimated
    /// parameters plus one (relative errors for multiplicative error models).
    pub sigma2: f64,
}

impl EtsState {
    /// Point forecasts for steps 1..=out.len().
    pub fn forecast_into(&self, out: &mut [f64]) {
        let (l, b, phi) = (self.level, self.slope, self.smoothing.phi);
        let undamped = (phi - 1.0).abs() < TOL;
        let mut phistar = phi;
        let mut phi_pow = phi;
        for (k, o) in out.iter_mut().enumerate() {
            let mut f = match self.kind.trend {
                Comp::N => l,
                Comp::A => l + phistar * b,
                Comp::M if b < 0.0 => f64::NAN,
                Comp::M => l * b.powf(phistar),
            };
            match self.kind.season {
                Comp::A => f += self.season[k % self.season.len()],
                Comp::M => f *= self.season[k % self.season.len()],
                Comp::N => {}
            }
            *o = f;
            phi_pow *= phi;
            phistar += if undamped { 1.0 } else { phi_pow };
        }
    }

    /// `[alpha, beta, gamma, phi]`, NaN for parameters the model does not have.
    pub fn params(&self) -> [f64; 4] {
        let s = &self.smoothing;
        let has = |yes: bool, v: f64| if yes { v } else { f64::NAN };
        [
            s.alpha,
            has(self.kind.trend != Comp::N, s.beta),
            has(self.kind.season != Comp::N, s.gamma),
            has(self.kind.damped, s.phi),
        ]
    }

    /// Append to a persisted blob.
    pub fn encode(&self, w: &mut Writer) {
        let k = &self.kind;
        for c in [k.error, k.trend, k.season] {
            w.u8(c.code());
        }
        w.u8(u8::from(k.damped));
        let s = &self.smoothing;
        for v in [
            s.alpha,
            s.beta,
            s.gamma,
            s.phi,
            self.level,
            self.slope,
            self.sigma2,
        ] {
            w.f64(v);
        }
        w.f64s(&self.season);
    }

    /// Read back what [`EtsState::encode`] wrote.
    pub fn decode(r: &mut Reader<'_>) -> Result<EtsState> {
        let mut comp = || -> Result<Comp> {
            let c = r.u8()?;
            Comp::from_code(c).ok_or_else(|| Error::Decode(format!("unknown ETS component {c}")))
        };
        let (error, trend, season) = (comp()?, comp()?, comp()?);
        let damped = match r.u8()? {
            0 => false,
            1 => true,
            d => return Err(Error::Decode(format!("bad ETS damping flag {d}"))),
        };
        let mut next = || r.f64();
        let smoothing = Smoothing {
            alpha: next()?,
            beta: next()?,
            gamma: next()?,
            phi: next()?,
        };
        let (level, slope, sigma2) = (next()?, next()?, next()?);
        let seasons = r.f64s()?;
        let valid = error != Comp::N
            && !(damped && trend == Comp::N)
            && (season == Comp::N) == seasons.is_empty();
        if !valid {
            return Err(Error::Decode("inconsistent ETS state".into()));
        }
        Ok(EtsState {
            kind: Kind::new(error, trend, season, damped),
            smoothing,
            level,
            slope,
            season: seasons,
            sigma2,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(kind: Kind, phi: f64, season: Vec<f64>) -> EtsState {
        EtsState {
            kind,
            smoothing: Smoothing {
                alpha: 0.3,
                beta: 0.1,
                gamma: 0.05,
                phi,
            },
            level: 10.0,
            slope: 2.0,
            season,
            sigma2: 1.5,
        }
    }

    #[test]
    fn forecasts() {
        let mut out = [0.0; 4];
        let aaa = state(
            Kind::new(Comp::A, Comp::A, Comp::A, false),
            1.0,
            vec![1.0, -1.0],
        );
        aaa.forecast_into(&mut out);
        assert_eq!(out, [13.0, 13.0, 17.0, 17.0]);
        let aadn = state(Kind::new(Comp::A, Comp::A, Comp::N, true), 0.5, vec![]);
        aadn.forecast_into(&mut out);
        assert_eq!(out, [11.0, 11.5, 11.75, 11.875]);
        let mmm = state(
            Kind::new(Comp::M, Comp::M, Comp::M, false),
            1.0,
            vec![0.5, 1.5],
        );
        mmm.forecast_into(&mut out);
        assert_eq!(out, [10.0, 60.0, 40.0, 240.0]);
        assert!(aadn.params()[2].is_nan() && aadn.params()[3] == 0.5);
    }

    #[test]
    fn round_trips_and_rejects_inconsistent_states() {
        let s = state(
            Kind::new(Comp::M, Comp::A, Comp::M, true),
            0.9,
            vec![0.9, 1.1],
        );
        let mut w = Writer::default();
        s.encode(&mut w);
        let mut r = Reader::new(&w.buf);
        assert_eq!(EtsState::decode(&mut r).unwrap(), s);
        r.finish().unwrap();
        let mut bad = w.buf.clone();
        bad[2] = 0; // season N, but seasonal states follow
        assert!(EtsState::decode(&mut Reader::new(&bad)).is_err());
        bad[2] = 9;
        assert!(EtsState::decode(&mut Reader::new(&bad)).is_err());
        assert!(EtsState::decode(&mut Reader::new(&w.buf[..20])).is_err());
    }
}
