//! The frozen parameters of a fitted per-series model: everything the fit *estimated or
//! selected* (smoothing constants, initial states, theta, the ETS model, the aggregation
//! level, the seasonal-adjustment decision, a fallback), kept so that
//! [`models::refilter`](super::models::refilter) can re-run the model's filter over a
//! longer (or any) series without re-estimating anything. What the filter computes from
//! the data (levels, means, the last season, seasonal indices, residual variances) is
//! recomputed by that run.
//!
//! One variant per kind of filter. A model whose filter is fully defined by its
//! specification (fixed-alpha SES, CrostonClassic/SBA, TSB, WindowAverage, ...) keeps
//! [`Frozen::Spec`]; a model whose estimates all live in its forecasting state (the
//! regression wrapper, ARIMA) keeps [`Frozen::State`]; a fallback keeps the fallback model.

use super::codec::{Reader, Writer};
use super::models::ets::EtsInit;
use super::models::theta::ThetaFrozen;
use crate::error::{Error, Result};

/// What a fitted model froze (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub enum Frozen {
    /// Read from a format-2 blob, written before the frozen parameters were kept: the
    /// model can forecast but not be refiltered (refit it).
    Unknown,
    /// Nothing was estimated: the filter is the specification's own model, re-run as fitted.
    Spec,
    /// Every estimate lives in the forecasting state (regression wrapper, ARIMA...).
    State,
    /// `Naive` (a fallback, or the `Naive` model itself).
    Naive,
    /// The mean of all observations (`HistoricAverage`, or `WindowAverage`'s fallback).
    HistoricAverage,
    /// `SeasonalNaive` with this season length (the model, or a fallback).
    SeasonalNaive { season_length: usize },
    /// The constant 0 (TSB without demand in its training history).
    Zero,
    /// SES with this smoothing constant (`SimpleExponentialSmoothingOptimized`).
    Ses { alpha: f64 },
    /// Croston with these smoothing constants of sizes and intervals (`CrostonOptimized`).
    Croston { alpha_z: f64, alpha_p: f64 },
    /// ADIDA's aggregation level and the SES constant of its bucket sums.
    Adida { level: usize, alpha: f64 },
    /// IMAPA: the SES constant of every aggregation level `1..=alphas.len()`.
    Imapa { alphas: Vec<f64> },
    /// A theta model (see [`ThetaFrozen`]).
    Theta(ThetaFrozen),
    /// An ETS model's initial states (its kind and smoothing are in its state).
    Ets(EtsInit),
}

const TAG_UNKNOWN: u8 = 0;
const TAG_SPEC: u8 = 1;
const TAG_STATE: u8 = 2;
const TAG_NAIVE: u8 = 3;
const TAG_HISTORIC: u8 = 4;
const TAG_SEASONAL_NAIVE: u8 = 5;
const TAG_ZERO: u8 = 6;
const TAG_SES: u8 = 10;
const TAG_CROSTON: u8 = 11;
const TAG_ADIDA: u8 = 12;
const TAG_IMAPA: u8 = 13;
const TAG_THETA: u8 = 20;
const TAG_ETS: u8 = 30;

impl Frozen {
    /// Whether the model can be refiltered (false only for [`Frozen::Unknown`]).
    pub fn is_known(&self) -> bool {
        !matches!(self, Frozen::Unknown)
    }

    /// Append to a persisted blob (format 3: a tag byte and its payload).
    pub fn encode(&self, w: &mut Writer) {
        match self {
            Frozen::Unknown => w.u8(TAG_UNKNOWN),
            Frozen::Spec => w.u8(TAG_SPEC),
            Frozen::State => w.u8(TAG_STATE),
            Frozen::Naive => w.u8(TAG_NAIVE),
            Frozen::HistoricAverage => w.u8(TAG_HISTORIC),
            Frozen::SeasonalNaive { season_length } => {
                w.u8(TAG_SEASONAL_NAIVE);
                w.u64(*season_length as u64);
            }
            Frozen::Zero => w.u8(TAG_ZERO),
            Frozen::Ses { alpha } => {
                w.u8(TAG_SES);
                w.f64(*alpha);
            }
            Frozen::Croston { alpha_z, alpha_p } => {
                w.u8(TAG_CROSTON);
                w.f64(*alpha_z);
                w.f64(*alpha_p);
            }
            Frozen::Adida { level, alpha } => {
                w.u8(TAG_ADIDA);
                w.u64(*level as u64);
                w.f64(*alpha);
            }
            Frozen::Imapa { alphas } => {
                w.u8(TAG_IMAPA);
                w.f64s(alphas);
            }
            Frozen::Theta(t) => {
                w.u8(TAG_THETA);
                t.encode(w);
            }
            Frozen::Ets(e) => {
                w.u8(TAG_ETS);
                e.encode(w);
            }
        }
    }

    /// Read back what [`Frozen::encode`] wrote.
    pub fn decode(r: &mut Reader<'_>) -> Result<Frozen> {
        let positive = |v: u64, what: &str| -> Result<usize> {
            usize::try_from(v)
                .ok()
                .filter(|&v| v >= 1)
                .ok_or_else(|| Error::Decode(format!("bad frozen {what} {v}")))
        };
        Ok(match r.u8()? {
            TAG_UNKNOWN => Frozen::Unknown,
            TAG_SPEC => Frozen::Spec,
            TAG_STATE => Frozen::State,
            TAG_NAIVE => Frozen::Naive,
            TAG_HISTORIC => Frozen::HistoricAverage,
            TAG_SEASONAL_NAIVE => Frozen::SeasonalNaive {
                season_length: positive(r.u64()?, "season length")?,
            },
            TAG_ZERO => Frozen::Zero,
            TAG_SES => Frozen::Ses { alpha: r.f64()? },
            TAG_CROSTON => Frozen::Croston {
                alpha_z: r.f64()?,
                alpha_p: r.f64()?,
            },
            TAG_ADIDA => Frozen::Adida {
                level: positive(r.u64()?, "aggregation level")?,
                alpha: r.f64()?,
            },
            TAG_IMAPA => {
                let alphas = r.f64s()?;
                if alphas.is_empty() {
                    return Err(Error::Decode("IMAPA without aggregation levels".into()));
                }
                Frozen::Imapa { alphas }
            }
            TAG_THETA => Frozen::Theta(ThetaFrozen::decode(r)?),
            TAG_ETS => Frozen::Ets(EtsInit::decode(r)?),
            t => return Err(Error::Decode(format!("unknown frozen-parameter tag {t}"))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::models::theta::decompose::Mode;
    use crate::forecast::models::theta::Kind;

    #[test]
    fn round_trips_and_rejects_garbage() {
        let all = [
            Frozen::Unknown,
            Frozen::Spec,
            Frozen::State,
            Frozen::Naive,
            Frozen::HistoricAverage,
            Frozen::SeasonalNaive { season_length: 7 },
            Frozen::Zero,
            Frozen::Ses { alpha: 0.3 },
            Frozen::Croston {
                alpha_z: 0.1,
                alpha_p: 0.2,
            },
            Frozen::Adida {
                level: 3,
                alpha: 0.25,
            },
            Frozen::Imapa {
                alphas: vec![0.1, 0.3],
            },
            Frozen::Theta(ThetaFrozen {
                kind: Kind::Dotm,
                level0: 1.5,
                alpha: 0.4,
                theta: 2.5,
                season: Some(Mode::Multiplicative),
            }),
            Frozen::Ets(EtsInit {
                level: 10.0,
                slope: 0.5,
                season: vec![1.0, -1.0],
            }),
        ];
        for f in all {
            let mut w = Writer::default();
            f.encode(&mut w);
            let mut r = Reader::new(&w.buf);
            assert_eq!(Frozen::decode(&mut r).unwrap(), f);
            r.finish().unwrap();
            assert!(Frozen::decode(&mut Reader::new(&w.buf[..w.buf.len() - 1])).is_err());
        }
        assert!(Frozen::decode(&mut Reader::new(&[99])).is_err());
        let mut w = Writer::default();
        Frozen::SeasonalNaive { season_length: 0 }.encode(&mut w);
        assert!(Frozen::decode(&mut Reader::new(&w.buf)).is_err());
    }
}
