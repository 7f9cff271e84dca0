//! The ETS model space: component forms, concrete models (`Kind`), the user's
//! specification with `Z` = "choose", statsforecast's restrictions on combinations, and the
//! candidate models a specification expands to, in statsforecast's search order (the order
//! matters: it decides ties and how the parameter bounds tighten, see `init.rs`).

use crate::error::{Error, Result};

/// The form of one component: none, additive or multiplicative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comp {
    /// No such component (`N`).
    N,
    /// Additive (`A`).
    A,
    /// Multiplicative (`M`).
    M,
}

impl Comp {
    /// The model-string letter.
    pub fn letter(self) -> char {
        match self {
            Comp::N => 'N',
            Comp::A => 'A',
            Comp::M => 'M',
        }
    }

    /// `N`, `A`, `M` as themselves and `Z` as `None` ("choose").
    fn parse(c: char) -> Option<Option<Comp>> {
        match c {
            'N' => Some(Some(Comp::N)),
            'A' => Some(Some(Comp::A)),
            'M' => Some(Some(Comp::M)),
            'Z' => Some(None),
            _ => None,
        }
    }

    /// Stable numeric code (persisted).
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Decode [`Comp::code`].
    pub fn from_code(c: u8) -> Option<Comp> {
        [Comp::N, Comp::A, Comp::M].get(usize::from(c)).copied()
    }
}

/// One concrete model: ETS(error, trend[d], season).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Kind {
    /// Error form (`A` or `M`).
    pub error: Comp,
    /// Trend form.
    pub trend: Comp,
    /// Seasonal form.
    pub season: Comp,
    /// Whether the trend is damped (never with `trend == N`).
    pub damped: bool,
}

impl Kind {
    /// Shorthand constructor.
    pub fn new(error: Comp, trend: Comp, season: Comp, damped: bool) -> Self {
        Kind {
            error,
            trend,
            season,
            damped,
        }
    }

    /// The compact name, e.g. `"AAdN"` for ETS(A,Ad,N).
    pub fn code(&self) -> String {
        let d = if self.damped { "d" } else { "" };
        format!(
            "{}{}{d}{}",
            self.error.letter(),
            self.trend.letter(),
            self.season.letter()
        )
    }

    /// Combinations statsforecast (like R's `forecast::ets(restrict = TRUE)`) never fits:
    /// additive errors with a multiplicative trend or season, and M error + M trend + A
    /// season. They are numerically unstable.
    fn forbidden(error: Comp, trend: Comp, season: Comp) -> bool {
        (error == Comp::A && (trend == Comp::M || season == Comp::M))
            || (error == Comp::M && trend == Comp::M && season == Comp::A)
    }
}

/// A validated AutoETS specification; `None` components are chosen by AICc.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EtsSpec {
    /// Observations per season (1 = no seasonality possible).
    pub season_length: usize,
    /// Error form (`None` = choose between A and M).
    pub error: Option<Comp>,
    /// Trend form (`None` = choose between N and A, like statsforecast).
    pub trend: Option<Comp>,
    /// Seasonal form (`None` = choose among N, A and M).
    pub season: Option<Comp>,
    /// Damping (`None` = try both).
    pub damped: Option<bool>,
}

impl EtsSpec {
    /// Validate a model string of three letters, error (A/M/Z), trend (N/A/M/Z) and
    /// season (N/A/M/Z), with `Z` = choose, e.g. `"ZZZ"` or `"MAM"`; `damped` fixes the
    /// damping of the trend (`None` = try both).
    pub fn new(season_length: usize, model: &str, damped: Option<bool>) -> Result<EtsSpec> {
        let bad = || {
            Error::param(
                "model",
                format!(
                    "must be three letters: error in A/M/Z, trend in N/A/M/Z, season in \
                     N/A/M/Z (Z = choose), got {model:?}"
                ),
            )
        };
        let letters: Vec<char> = model.chars().collect();
        if letters.len() != 3 {
            return Err(bad());
        }
        let error = Comp::parse(letters[0]).ok_or_else(bad)?;
        let trend = Comp::parse(letters[1]).ok_or_else(bad)?;
        let season = Comp::parse(letters[2]).ok_or_else(bad)?;
        if error == Some(Comp::N) {
            return Err(bad());
        }
        if season_length == 0 {
            return Err(Error::param("season_length", "must be >= 1, got 0"));
        }
        let spec = EtsSpec {
            season_length,
            error,
            trend,
            season,
            damped,
        };
        if damped == Some(true) && trend == Some(Comp::N) {
            return Err(Error::param(
                "damped",
                format!("a damped trend needs a trend, but model {model:?} has none"),
            ));
        }
        if season_length == 1 && matches!(season, Some(Comp::A | Comp::M)) {
            return Err(Error::param(
                "model",
                format!("a seasonal model ({model:?}) needs season_length >= 2"),
            ));
        }
        if spec.candidates(true).is_empty() {
            return Err(Error::param(
                "model",
                format!(
                    "{model:?} allows no model: additive errors combine only with additive \
                     components, and M error + M trend + A season is excluded (as in \
                     statsforecast)"
                ),
            ));
        }
        Ok(spec)
    }

    /// The three-letter model string (`Z` for components to choose).
    pub fn model(&self) -> String {
        [self.error, self.trend, self.season]
            .iter()
            .map(|c| c.map_or('Z', Comp::letter))
            .collect()
    }

    /// The same specification with every explicit `M` made `A` (for data that are not
    /// strictly positive).
    pub fn additive(&self) -> EtsSpec {
        let f = |c: Option<Comp>| c.map(|c| if c == Comp::M { Comp::A } else { c });
        EtsSpec {
            error: f(self.error),
            trend: f(self.trend),
            season: f(self.season),
            ..*self
        }
    }

    /// The same specification without seasonality.
    pub fn nonseasonal(&self) -> EtsSpec {
        EtsSpec {
            season: Some(Comp::N),
            ..*self
        }
    }

    /// Whether the specification asks for a seasonal component explicitly.
    pub fn wants_season(&self) -> bool {
        matches!(self.season, Some(Comp::A | Comp::M))
    }

    /// statsforecast's parameter count for its "too little data" test: alpha and the level,
    /// plus two per explicit trend or season, plus one for an explicit damping.
    pub fn n_basic_params(&self) -> usize {
        let two = |c: Option<Comp>| {
            if matches!(c, Some(Comp::A | Comp::M)) {
                2
            } else {
                0
            }
        };
        2 + two(self.trend) + two(self.season) + usize::from(self.damped == Some(true))
    }

    /// The models to fit, in statsforecast's order (error A, M; trend N, A; season N, A, M;
    /// damped then undamped), without forbidden combinations, without multiplicative parts
    /// unless `positive`, and without seasons when `season_length` is 1.
    pub fn candidates(&self, positive: bool) -> Vec<Kind> {
        let errors = self.error.map_or(vec![Comp::A, Comp::M], |c| vec![c]);
        let trends = self.trend.map_or(vec![Comp::N, Comp::A], |c| vec![c]);
        let seasons = self
            .season
            .map_or(vec![Comp::N, Comp::A, Comp::M], |c| vec![c]);
        let damps = self.damped.map_or(vec![true, false], |d| vec![d]);
        let mut out = Vec::new();
        for &e in &errors {
            for &t in &trends {
                for &s in &seasons {
                    for &d in &damps {
                        let skip = (t == Comp::N && d)
                            || Kind::forbidden(e, t, s)
                            || (!positive && (e == Comp::M || s == Comp::M))
                            || (s != Comp::N && self.season_length == 1);
                        if !skip {
                            out.push(Kind::new(e, t, s, d));
                        }
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(spec: &EtsSpec, positive: bool) -> Vec<String> {
        spec.candidates(positive).iter().map(Kind::code).collect()
    }

    #[test]
    fn zzz_expands_in_statsforecast_order() {
        let spec = EtsSpec::new(7, "ZZZ", None).unwrap();
        assert_eq!(
            codes(&spec, false),
            ["ANN", "ANA", "AAdN", "AAN", "AAdA", "AAA"]
        );
        assert_eq!(codes(&spec, true).len(), 15);
        assert_eq!(codes(&spec, true)[6..9], ["MNN", "MNA", "MNM"]);
        let nonseasonal = EtsSpec::new(1, "ZZZ", Some(false)).unwrap();
        assert_eq!(codes(&nonseasonal, true), ["ANN", "AAN", "MNN", "MAN"]);
        assert_eq!(spec.model(), "ZZZ");
        assert_eq!(spec.n_basic_params(), 2);
    }

    #[test]
    fn rejects_bad_and_forbidden_models() {
        for bad in [
            "ZZ", "NNN", "XAA", "AAM", "ANM", "AMN", "MMA", "ZMA", "AAAA",
        ] {
            assert!(EtsSpec::new(7, bad, None).is_err(), "{bad}");
        }
        assert!(EtsSpec::new(7, "ANN", Some(true)).is_err());
        assert!(EtsSpec::new(1, "AAA", None).is_err());
        assert!(EtsSpec::new(0, "ZZZ", None).is_err());
        assert!(EtsSpec::new(1, "ZZZ", None).is_ok());
        let mmm = EtsSpec::new(12, "MMM", Some(true)).unwrap();
        assert_eq!(codes(&mmm, true), ["MMdM"]);
        assert!(codes(&mmm, false).is_empty());
        assert_eq!(mmm.additive().model(), "AAA");
        assert_eq!(mmm.n_basic_params(), 7);
    }

    #[test]
    fn kind_codes_round_trip() {
        for c in [Comp::N, Comp::A, Comp::M] {
            assert_eq!(Comp::from_code(c.code()), Some(c));
        }
        assert_eq!(Comp::from_code(3), None);
        assert_eq!(Kind::new(Comp::M, Comp::A, Comp::M, true).code(), "MAdM");
    }
}
