//! Inventory KPIs and phantom-stock detection for one item, from its daily units sold
//! `y` and end-of-period stock `on_hand` (NaN where unknown; those periods are ignored).
//!
//! * stockout period: on_hand ≤ 0; stockout rate = stockout periods / known periods.
//! * usual rate λ = mean units on in-stock periods; lost units on a stockout period =
//!   max(0, λ − y); fill rate = Σ y / (Σ y + Σ lost) (a unit fill rate with estimated lost
//!   sales).
//! * days of supply = last known on_hand / mean units over the last `recent` known periods.
//! * turnover = Σ y / mean on_hand; sell-through = Σ y / (Σ y + last on_hand).
//! * GMROI = Σ (price − cost) · y / (mean on_hand · cost).
//!
//! Ratios with a zero denominator follow [`ratio`] (NaN for 0/0, +∞ otherwise).
//!
//! Phantom stock: the longest run of in-stock periods without a sale (the trailing run
//! only, when stock is known only at the end). With q the share of in-stock periods with
//! a sale outside that run, the chance of a run at least that long is (1 − q)^L.

use super::point::ratio;

/// KPIs of one item.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Kpis {
    /// Periods with a known stock level.
    pub periods: f64,
    /// Units sold over those periods.
    pub units: f64,
    /// Share of known periods ending with no stock.
    pub stockout_rate: f64,
    /// Estimated lost units.
    pub lost_units: f64,
    /// Unit fill rate.
    pub fill_rate: f64,
    /// Mean on-hand units.
    pub avg_on_hand: f64,
    /// Last known on-hand units.
    pub last_on_hand: f64,
    /// Periods the last stock lasts at the recent rate.
    pub days_of_supply: f64,
    /// Units sold per unit of average stock.
    pub turnover: f64,
    /// Units sold / (units sold + last stock).
    pub sell_through: f64,
    /// Gross margin return on inventory investment (NaN without price and cost).
    pub gmroi: f64,
}

/// KPIs of one item; `price` per period (NaN allowed on zero-sale periods) and `cost`
/// (NaN: unknown) feed GMROI.
pub fn kpis(y: &[f64], on_hand: &[f64], price: Option<&[f64]>, cost: f64, recent: usize) -> Kpis {
    let known: Vec<usize> = (0..y.len()).filter(|&t| on_hand[t].is_finite()).collect();
    if known.is_empty() {
        return Kpis {
            stockout_rate: f64::NAN,
            fill_rate: f64::NAN,
            avg_on_hand: f64::NAN,
            last_on_hand: f64::NAN,
            days_of_supply: f64::NAN,
            turnover: f64::NAN,
            sell_through: f64::NAN,
            gmroi: f64::NAN,
            ..Kpis::default()
        };
    }
    let n = known.len() as f64;
    let units: f64 = known.iter().map(|&t| y[t]).sum();
    let in_stock: Vec<usize> = known
        .iter()
        .copied()
        .filter(|&t| on_hand[t] > 0.0)
        .collect();
    let rate = if in_stock.is_empty() {
        0.0
    } else {
        in_stock.iter().map(|&t| y[t]).sum::<f64>() / in_stock.len() as f64
    };
    let stockouts = known.iter().filter(|&&t| on_hand[t] <= 0.0);
    let lost: f64 = stockouts.clone().map(|&t| (rate - y[t]).max(0.0)).sum();
    let avg = known.iter().map(|&t| on_hand[t]).sum::<f64>() / n;
    let last = on_hand[*known.last().expect("non-empty")];
    let tail = &known[known.len().saturating_sub(recent.max(1))..];
    let recent_rate = tail.iter().map(|&t| y[t]).sum::<f64>() / tail.len() as f64;
    let margin = price.map_or(f64::NAN, |p| {
        known
            .iter()
            .map(|&t| {
                if y[t] == 0.0 {
                    0.0
                } else {
                    (p[t] - cost) * y[t]
                }
            })
            .sum()
    });
    Kpis {
        periods: n,
        units,
        stockout_rate: stockouts.count() as f64 / n,
        lost_units: lost,
        fill_rate: ratio(units, units + lost),
        avg_on_hand: avg,
        last_on_hand: last,
        days_of_supply: ratio(last.max(0.0), recent_rate),
        turnover: ratio(units, avg),
        sell_through: ratio(units, units + last.max(0.0)),
        gmroi: if cost.is_finite() && cost > 0.0 {
            ratio(margin, avg * cost)
        } else {
            f64::NAN
        },
    }
}

/// The most suspicious zero-sale run of one item.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PhantomRun {
    /// First period of the run (0 when there is none).
    pub start: usize,
    /// Periods in the run (0: none).
    pub length: usize,
    /// Share of in-stock periods with a sale outside the run (NaN: no such period).
    pub sell_rate: f64,
    /// (1 − sell_rate)^length: the chance of such a run (1 without a run).
    pub probability: f64,
}

/// Longest run of periods with `in_stock[t]` and `y[t] == 0` (the latest on ties), or only
/// the run reaching the last period when `trailing_only`.
pub fn phantom_run(y: &[f64], in_stock: &[bool], trailing_only: bool) -> PhantomRun {
    let n = y.len();
    let quiet = |t: usize| in_stock[t] && y[t] == 0.0;
    let (mut best_start, mut best_len) = (0, 0);
    if trailing_only {
        let len = (0..n).rev().take_while(|&t| quiet(t)).count();
        (best_start, best_len) = (n - len, len);
    } else {
        let mut t = 0;
        while t < n {
            if quiet(t) {
                let s = t;
                while t < n && quiet(t) {
                    t += 1;
                }
                if t - s >= best_len {
                    (best_start, best_len) = (s, t - s);
                }
            } else {
                t += 1;
            }
        }
    }
    if best_len == 0 {
        return PhantomRun {
            start: 0,
            length: 0,
            sell_rate: f64::NAN,
            probability: 1.0,
        };
    }
    let outside = (0..n).filter(|&t| in_stock[t] && (t < best_start || t >= best_start + best_len));
    let (days, selling) = outside.fold((0usize, 0usize), |(d, s), t| {
        (d + 1, s + usize::from(y[t] > 0.0))
    });
    let q = if days == 0 {
        f64::NAN
    } else {
        selling as f64 / days as f64
    };
    PhantomRun {
        start: best_start,
        length: best_len,
        sell_rate: q,
        probability: (1.0 - q).powi(best_len as i32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kpis_by_hand() {
        let y = [2.0, 4.0, 0.0, 1.0, 3.0];
        let oh = [5.0, 1.0, 0.0, f64::NAN, 4.0];
        let price = [2.0, 2.0, f64::NAN, 2.0, 3.0];
        let k = kpis(&y, &oh, Some(&price), 1.0, 2);
        assert_eq!(k.periods, 4.0);
        assert_eq!(k.units, 9.0);
        assert_eq!(k.stockout_rate, 0.25);
        // in-stock rate (2 + 4 + 3) / 3 = 3; lost 3 on the stockout day
        assert_eq!(k.lost_units, 3.0);
        assert_eq!(k.fill_rate, 0.75);
        assert_eq!(k.avg_on_hand, 2.5);
        assert_eq!(k.last_on_hand, 4.0);
        // last two known periods sold 0 and 3: 1.5 a period
        assert!((k.days_of_supply - 4.0 / 1.5).abs() < 1e-12);
        assert_eq!(k.turnover, 9.0 / 2.5);
        assert_eq!(k.sell_through, 9.0 / 13.0);
        // margin (2-1)·2 + (2-1)·4 + (3-1)·3 = 12 over 2.5 · 1
        assert!((k.gmroi - 12.0 / 2.5).abs() < 1e-12);
        assert!(kpis(&y, &[f64::NAN; 5], None, 1.0, 2).fill_rate.is_nan());
    }

    #[test]
    fn phantom_runs() {
        let y = [1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0];
        let stock = [true; 10];
        let r = phantom_run(&y, &stock, false);
        assert_eq!((r.start, r.length), (3, 4));
        // outside the run: 6 in-stock days, 3 with a sale
        assert_eq!(r.sell_rate, 0.5);
        assert_eq!(r.probability, 0.0625);
        let tail = phantom_run(&y, &stock, true);
        assert_eq!((tail.start, tail.length), (8, 2));
        let mut off = stock;
        off[4] = false; // out of stock in the middle breaks the run
        let r = phantom_run(&y, &off, false);
        assert_eq!((r.start, r.length), (8, 2)); // runs 3, 5-6 and 8-9: the latest of the longest
        let none = phantom_run(&[1.0, 1.0], &[true, true], false);
        assert_eq!((none.length, none.probability), (0, 1.0));
    }
}
