//! One item's simulation: the period-by-period replay of its demand through the policy
//! (see the `simulate` module for the period logic), and the generator of its lead-time
//! draws.

use super::policy::Policy;
use super::simulate::{SimItems, SimParams};

/// SplitMix64: a tiny, good-quality generator for the lead-time draws.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// Round a wanted quantity to the item's rules (MOQ, whole packs rounded up, cap).
fn round_order(wanted: f64, moq: f64, pack: f64, cap: f64) -> f64 {
    if wanted.is_nan() || wanted <= 0.0 {
        return 0.0;
    }
    let q = wanted.max(moq);
    if pack <= 0.0 {
        return q.min(cap);
    }
    let packs = (q / pack - 1e-9).ceil().max(1.0);
    let cap_packs = (cap / pack + 1e-9).floor().max(1.0);
    packs.min(cap_packs) * pack
}

/// One item's statistics (in `SimResult` column order) and optional trace rows.
pub struct ItemOut {
    pub stats: [f64; 10],
    pub trace: Option<[Vec<f64>; 6]>,
}

pub fn simulate_item(i: usize, it: &SimItems<'_>, p: &SimParams) -> ItemOut {
    let t_len = it.periods;
    let demand = &it.demand[i * t_len..(i + 1) * t_len];
    let mut rng = Rng(p.seed.wrapping_mul(0xD1B5_4A32_D192_ED03) ^ it.item_seed[i]);
    let (lead, lead_sd) = (it.lead_time[i].round() as usize, it.lead_time_sd[i]);
    let (s, q, big_s) = (it.reorder_point[i], it.order_quantity[i], it.order_up_to[i]);
    let review = it.review_period[i].max(1.0) as usize;
    let (h, k, cost_short) = (it.holding_cost[i], it.order_cost[i], it.stockout_cost[i]);
    let (moq, pack, cap) = (it.moq[i], it.pack_size[i], it.max_qty[i]);

    let mut arrivals = vec![0.0; t_len + 1];
    let mut net = it.on_hand[i];
    let mut pipeline = it.on_order[i];
    if pipeline > 0.0 {
        arrivals[lead.min(t_len)] += pipeline;
    }
    let mut trace = p.trace.then(|| std::array::from_fn(|_| vec![0.0; t_len]));
    let (mut filled_total, mut demand_total, mut short_total) = (0.0, 0.0, 0.0);
    let (mut stockout_days, mut on_hand_sum, mut orders) = (0.0, 0.0, 0.0);
    let (mut holding, mut ordering, mut shortage) = (0.0, 0.0, 0.0);
    let (mut cycles, mut good_cycles, mut cycle_len, mut cycle_short) = (0.0, 0.0, 0usize, false);
    for (t, &d) in demand.iter().enumerate() {
        let received = arrivals[t];
        if received > 0.0 {
            net += received;
            pipeline -= received;
            if cycle_len > 0 {
                cycles += 1.0;
                if !cycle_short {
                    good_cycles += 1.0;
                }
            }
            (cycle_len, cycle_short) = (0, false);
        }
        let position = net + pipeline;
        let wanted = match p.policy {
            Policy::SQ if position <= s => ((s - position) / q).floor().mul_add(q, q),
            Policy::SS if position <= s => big_s - position,
            Policy::RS if t % review == 0 => big_s - position,
            Policy::BaseStock => big_s - position,
            _ => 0.0,
        };
        let qty = round_order(wanted, moq, pack, cap);
        if qty > 0.0 {
            orders += 1.0;
            ordering += k;
            let l = if lead_sd > 0.0 {
                (lead as f64 + lead_sd * rng.normal()).round().max(0.0) as usize
            } else {
                lead
            };
            if l == 0 {
                net += qty;
            } else {
                pipeline += qty;
                arrivals[(t + l).min(t_len)] += qty;
            }
        }
        let available = net.max(0.0);
        let filled = d.min(available);
        let short = d - filled;
        net -= if p.lost_sales { filled } else { d };
        if short > 0.0 {
            stockout_days += 1.0;
            cycle_short = true;
        }
        cycle_len += 1;
        let on_hand = net.max(0.0);
        holding += h * on_hand;
        on_hand_sum += on_hand;
        shortage += cost_short * if p.lost_sales { short } else { (-net).max(0.0) };
        filled_total += filled;
        demand_total += d;
        short_total += short;
        if let Some(tr) = trace.as_mut() {
            let values = [on_hand, (-net).max(0.0), pipeline, qty, received, short];
            for (col, v) in tr.iter_mut().zip(values) {
                col[t] = v;
            }
        }
    }
    if cycle_len > 0 {
        cycles += 1.0;
        if !cycle_short {
            good_cycles += 1.0;
        }
    }
    let fill = if demand_total > 0.0 {
        filled_total / demand_total
    } else {
        f64::NAN
    };
    let csl = if cycles > 0.0 {
        good_cycles / cycles
    } else {
        f64::NAN
    };
    let avg = if t_len > 0 {
        on_hand_sum / t_len as f64
    } else {
        f64::NAN
    };
    ItemOut {
        stats: [
            fill,
            csl,
            stockout_days,
            avg,
            orders,
            holding,
            ordering,
            shortage,
            demand_total,
            short_total,
        ],
        trace,
    }
}
