//! What a fitted per-series model keeps: enough to forecast any horizon and to quantify
//! its one-step uncertainty, why it fell back to a simpler model, if it did, and the
//! parameters it froze for `models::refilter` (see `frozen.rs`).

use super::codec::{Reader, Writer};
use super::exog::Exog;
use super::frozen::Frozen;
use super::models::arima_model::ArimaState;
use super::models::ets::EtsState;
use super::models::mstl_model::MstlState;
use super::models::regressed::Regressed;
use super::models::theta::ThetaState;
use crate::error::{Error, Result};

/// Why a series could not use the requested model and got a simpler one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Fallback {
    /// Fewer observations than the season length: the seasonal model fell back to `Naive`.
    ShortForSeason = 1,
    /// Never a positive sale: the intermittent model fell back to `Naive` (which forecasts 0).
    NoDemand = 2,
    /// Fewer observations than the window: the window model used all of them.
    ShortForWindow = 3,
    /// Too few observations to estimate the model: used `Naive`.
    TooShort = 4,
    /// The model could not be fitted (non-finite objective or forecast): used `Naive`.
    FitFailed = 5,
    /// A constant series: flat forecast at the constant (ETS: statsforecast's ETS(A,N,N)).
    Constant = 10,
    /// Too few observations for the seasonal model requested: fitted a non-seasonal one.
    NonSeasonal = 11,
    /// Multiplicative components need strictly positive data: used additive ones.
    NotPositive = 12,
    /// Fewer than two cycles of a seasonal period: MSTL left that component out.
    SeasonDropped = 13,
}

impl Fallback {
    /// Every fallback, for listing.
    pub const ALL: [Fallback; 9] = [
        Fallback::ShortForSeason,
        Fallback::NoDemand,
        Fallback::ShortForWindow,
        Fallback::TooShort,
        Fallback::FitFailed,
        Fallback::Constant,
        Fallback::NonSeasonal,
        Fallback::NotPositive,
        Fallback::SeasonDropped,
    ];

    /// Stable numeric code (persisted).
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Decode a persisted code; 0 means no fallback.
    pub fn from_code(code: u8) -> Option<Option<Fallback>> {
        match code {
            0 => Some(None),
            1 => Some(Some(Fallback::ShortForSeason)),
            2 => Some(Some(Fallback::NoDemand)),
            3 => Some(Some(Fallback::ShortForWindow)),
            4 => Some(Some(Fallback::TooShort)),
            5 => Some(Some(Fallback::FitFailed)),
            10 => Some(Some(Fallback::Constant)),
            11 => Some(Some(Fallback::NonSeasonal)),
            12 => Some(Some(Fallback::NotPositive)),
            13 => Some(Some(Fallback::SeasonDropped)),
            _ => None,
        }
    }

    /// A human-readable reason.
    pub fn reason(self) -> &'static str {
        match self {
            Fallback::ShortForSeason => "fewer observations than one season: used Naive",
            Fallback::NoDemand => "no positive demand in the history: used Naive (forecast 0)",
            Fallback::ShortForWindow => "fewer observations than the window: WindowAverage averaged them all, SeasonalWindowAverage used SeasonalNaive",
            Fallback::TooShort => {
                "too few observations to estimate the model (theta needs 4, ETS more than its parameters): used Naive"
            }
            Fallback::FitFailed => {
                "the model could not be fitted (objective not finite): used Naive"
            }
            Fallback::Constant => "constant series: flat forecast at the constant",
            Fallback::NonSeasonal => {
                "too few observations for the seasonal model: fitted a non-seasonal one"
            }
            Fallback::NotPositive => {
                "multiplicative components need strictly positive data: used additive ones"
            }
            Fallback::SeasonDropped => {
                "fewer than two cycles of a seasonal period: MSTL left that component out"
            }
        }
    }
}

/// The first format version whose fitted states carry their frozen parameters.
pub const FROZEN_SINCE: u32 = 3;

/// How a fitted model produces its point forecasts.
#[derive(Debug, Clone, PartialEq)]
pub enum State {
    /// Step k (1-based) is `cycle[(k - 1) % cycle.len()]` (flat forecasts have length 1).
    Cycle(Vec<f64>),
    /// A theta model's last state, rolled forward step by step.
    Theta(ThetaState),
    /// An exponential smoothing state-space model (see `models::ets`).
    Ets(EtsState),
    /// A model of what the exogenous regressors leave, plus their effect (see
    /// `models::regressed`).
    Regressed(Box<Regressed>),
    /// An MSTL model: a trend forecaster plus seasonal cycles (see `models::mstl_model`).
    Mstl(Box<MstlState>),
    /// An ARIMA model, with the regressor columns it uses (see `models::arima_model`).
    Arima(Box<ArimaState>),
}

impl State {
    const TAG_CYCLE: u8 = 1;
    const TAG_THETA: u8 = 2;
    const TAG_ETS: u8 = 10;
    const TAG_REGRESSED: u8 = 30;
    const TAG_MSTL: u8 = 31;
    const TAG_ARIMA: u8 = 20;

    fn encode(&self, w: &mut Writer) {
        match self {
            State::Cycle(c) => {
                w.u8(Self::TAG_CYCLE);
                w.f64s(c);
            }
            State::Theta(t) => {
                w.u8(Self::TAG_THETA);
                t.encode(w);
            }
            State::Ets(e) => {
                w.u8(Self::TAG_ETS);
                e.encode(w);
            }
            State::Regressed(r) => {
                w.u8(Self::TAG_REGRESSED);
                r.encode(w);
            }
            State::Mstl(m) => {
                w.u8(Self::TAG_MSTL);
                m.encode(w);
            }
            State::Arima(a) => {
                w.u8(Self::TAG_ARIMA);
                a.encode(w);
            }
        }
    }

    fn decode(r: &mut Reader<'_>) -> Result<State> {
        match r.u8()? {
            Self::TAG_CYCLE => {
                let c = r.f64s()?;
                if c.is_empty() {
                    return Err(Error::Decode("empty forecast cycle".into()));
                }
                Ok(State::Cycle(c))
            }
            Self::TAG_THETA => Ok(State::Theta(ThetaState::decode(r)?)),
            Self::TAG_ETS => Ok(State::Ets(EtsState::decode(r)?)),
            Self::TAG_REGRESSED => Ok(State::Regressed(Box::new(Regressed::decode(r)?))),
            Self::TAG_MSTL => Ok(State::Mstl(Box::new(MstlState::decode(r)?))),
            Self::TAG_ARIMA => Ok(State::Arima(Box::new(ArimaState::decode(r)?))),
            t => Err(Error::Decode(format!("unknown model state tag {t}"))),
        }
    }
}

/// A fitted model for one series.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// The forecasting state.
    pub state: State,
    /// Root mean squared in-sample one-step-ahead error (0 when none can be computed).
    pub sigma: f64,
    /// Set when the series fell back to a simpler model.
    pub fallback: Option<Fallback>,
    /// What the fit estimated or selected, for `models::refilter` ([`Frozen::Unknown`] when
    /// read from a format-2 blob).
    pub frozen: Frozen,
}

impl Fitted {
    /// A flat forecast.
    pub fn constant(value: f64, sigma: f64) -> Self {
        Fitted::cycle(vec![value], sigma)
    }

    /// A repeating cycle.
    pub fn cycle(cycle: Vec<f64>, sigma: f64) -> Self {
        Fitted {
            state: State::Cycle(cycle),
            sigma,
            fallback: None,
            frozen: Frozen::Spec,
        }
    }

    /// Set the frozen parameters.
    pub fn with_frozen(mut self, frozen: Frozen) -> Self {
        self.frozen = frozen;
        self
    }

    /// Whether this fit (and a wrapped inner fit) kept its frozen parameters, so that
    /// `models::refilter` can re-run it (false for states read from a format-2 blob).
    pub fn is_refilterable(&self) -> bool {
        self.frozen.is_known()
            && match &self.state {
                State::Regressed(r) => r.inner.is_refilterable(),
                State::Mstl(m) => m.trend.is_refilterable(),
                State::Cycle(_) | State::Theta(_) | State::Ets(_) | State::Arima(_) => true,
            }
    }

    /// Mark as a fallback.
    pub fn fell_back(mut self, why: Fallback) -> Self {
        self.fallback = Some(why);
        self
    }

    /// Write the forecast for steps 1..=out.len() into `out` (a model that uses regressors
    /// takes their future values as zero effect: use [`Fitted::forecast_x`]).
    pub fn forecast_into(&self, out: &mut [f64]) {
        self.forecast_x(out, Exog::NONE);
    }

    /// Write the forecast for steps 1..=out.len() into `out`, with the future regressors
    /// `xf` (one row per step; ignored by models without regressors, and empty when the
    /// panel has none).
    pub fn forecast_x(&self, out: &mut [f64], xf: Exog<'_>) {
        match &self.state {
            State::Cycle(c) => {
                let m = c.len();
                for (k, o) in out.iter_mut().enumerate() {
                    *o = c[k % m];
                }
            }
            State::Theta(t) => t.forecast_into(out),
            State::Ets(e) => e.forecast_into(out),
            State::Regressed(r) => r.forecast_x(out, xf),
            State::Mstl(m) => m.forecast_x(out, xf),
            State::Arima(a) => a.forecast_x(out, xf),
        }
    }

    /// Number of exogenous regressors this fit uses (0 for models without them).
    pub fn n_exog(&self) -> usize {
        match &self.state {
            State::Regressed(r) => r.reg.beta.len(),
            State::Mstl(m) => m.trend.n_exog(),
            State::Arima(a) => a.k,
            State::Cycle(_) | State::Theta(_) | State::Ets(_) => 0,
        }
    }

    /// The ETS state, if this fit has one (None for other models and for ETS fits that fell
    /// back to `Naive`).
    pub fn ets(&self) -> Option<&EtsState> {
        match &self.state {
            State::Ets(e) => Some(e),
            State::Regressed(r) => r.inner.ets(),
            State::Cycle(_) | State::Theta(_) | State::Mstl(_) | State::Arima(_) => None,
        }
    }

    /// Append to a persisted blob: the state, sigma, the fallback code and (format 3) the
    /// frozen parameters.
    pub fn encode(&self, w: &mut Writer) {
        self.state.encode(w);
        w.f64(self.sigma);
        w.u8(self.fallback.map_or(0, Fallback::code));
        self.frozen.encode(w);
    }

    /// The format-2 layout (no frozen parameters), to test reading old blobs.
    #[cfg(test)]
    pub(crate) fn encode_v2(&self, w: &mut Writer) {
        self.state.encode(w);
        w.f64(self.sigma);
        w.u8(self.fallback.map_or(0, Fallback::code));
    }

    /// Read back what [`Fitted::encode`] wrote, in the layout of the reader's format
    /// version (format 2 has no frozen parameters: [`Frozen::Unknown`]).
    pub fn decode(r: &mut Reader<'_>) -> Result<Fitted> {
        let state = State::decode(r)?;
        let sigma = r.f64()?;
        let code = r.u8()?;
        let fallback = Fallback::from_code(code)
            .ok_or_else(|| Error::Decode(format!("unknown fallback code {code}")))?;
        let frozen = if r.layout() >= FROZEN_SINCE {
            Frozen::decode(r)?
        } else {
            Frozen::Unknown
        };
        Ok(Fitted {
            state,
            sigma,
            fallback,
            frozen,
        })
    }
}
