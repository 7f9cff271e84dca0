//! Calendar features from dates given as days since 1970-01-01 (proleptic Gregorian):
//! day of week, day of month, ISO week of year, month, quarter, year, day of year, and
//! membership in user-supplied holiday/event date sets. Definitions follow pandas'
//! `DatetimeIndex` attributes of the same names (`dayofweek` is 0 = Monday).

use crate::error::{Error, Result};

/// A calendar feature computed from a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateFeature {
    /// 0 = Monday .. 6 = Sunday.
    DayOfWeek,
    /// 1..=31.
    Day,
    /// ISO 8601 week number, 1..=53 (pandas' `isocalendar().week`).
    Week,
    /// 1..=12.
    Month,
    /// 1..=4.
    Quarter,
    /// The calendar year.
    Year,
    /// 1..=366.
    DayOfYear,
}

impl DateFeature {
    /// Every feature, in a stable order.
    pub const ALL: [DateFeature; 7] = [
        DateFeature::DayOfWeek,
        DateFeature::Day,
        DateFeature::Week,
        DateFeature::Month,
        DateFeature::Quarter,
        DateFeature::Year,
        DateFeature::DayOfYear,
    ];

    /// The feature's name (pandas' attribute name).
    pub fn name(self) -> &'static str {
        match self {
            DateFeature::DayOfWeek => "dayofweek",
            DateFeature::Day => "day",
            DateFeature::Week => "week",
            DateFeature::Month => "month",
            DateFeature::Quarter => "quarter",
            DateFeature::Year => "year",
            DateFeature::DayOfYear => "dayofyear",
        }
    }

    /// Parse a name; `weekofyear` is accepted for `week`.
    pub fn parse(name: &str) -> Result<DateFeature> {
        let name = if name == "weekofyear" { "week" } else { name };
        DateFeature::ALL
            .into_iter()
            .find(|f| f.name() == name)
            .ok_or_else(|| {
                let known: Vec<_> = DateFeature::ALL.iter().map(|f| f.name()).collect();
                Error::param(
                    "date_features",
                    format!("unknown date feature `{name}`; known: {known:?}"),
                )
            })
    }

    /// The feature's value on day `days` (days since 1970-01-01).
    pub fn value(self, days: i64) -> f64 {
        self.value_civil(days, civil_from_days(days))
    }

    /// [`DateFeature::value`] given the day's `civil_from_days(days)` (computed once for
    /// all the features of a row).
    pub fn value_civil(self, days: i64, (y, m, d): (i64, i64, i64)) -> f64 {
        (match self {
            DateFeature::DayOfWeek => (days + 3).rem_euclid(7),
            DateFeature::Day => d,
            DateFeature::Week => iso_week(days),
            DateFeature::Month => m,
            DateFeature::Quarter => (m - 1) / 3 + 1,
            DateFeature::Year => y,
            DateFeature::DayOfYear => days - days_from_civil(y, 1, 1) + 1,
        }) as f64
    }
}

/// (year, month, day) of a day number (Howard Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Day number of a (year, month, day).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// ISO 8601 week number: the week (Monday-based) holding the year's first Thursday is 1.
fn iso_week(days: i64) -> i64 {
    let dow = (days + 3).rem_euclid(7); // 0 = Monday
    let thursday = days - dow + 3;
    let (y, _, _) = civil_from_days(thursday);
    (thursday - days_from_civil(y, 1, 1)) / 7 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for z in [-800_000, -1, 0, 1, 15_000, 18_992, 19_000, 60_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(15_317), (2011, 12, 9));
    }

    #[test]
    fn features_match_pandas() {
        // 2011-12-09 was a Friday, ISO week 49, day of year 343.
        let z = days_from_civil(2011, 12, 9);
        assert_eq!(DateFeature::DayOfWeek.value(z), 4.0);
        assert_eq!(DateFeature::Week.value(z), 49.0);
        assert_eq!(DateFeature::DayOfYear.value(z), 343.0);
        assert_eq!(DateFeature::Quarter.value(z), 4.0);
        // 2010-01-03 (Sunday) belongs to ISO week 53 of 2009; 2008-12-29 to week 1 of 2009.
        assert_eq!(DateFeature::Week.value(days_from_civil(2010, 1, 3)), 53.0);
        assert_eq!(DateFeature::Week.value(days_from_civil(2008, 12, 29)), 1.0);
        assert!(DateFeature::parse("hour").is_err());
        assert_eq!(DateFeature::parse("weekofyear").unwrap(), DateFeature::Week);
    }
}
