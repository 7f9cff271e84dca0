//! Versioned binary encoding of [`MlFitted`] (same codec as the statistical models;
//! executes nothing on load and rejects garbage, truncation and newer versions).
//!
//! Layout (version 1): magic `SHELFML\0`, u32 version; the feature spec (lags; lag
//! transforms as kind, lag, window, min_samples, alpha; date feature names; holidays as
//! name + day list; static and dynamic names; target transforms as name + lag; dropna);
//! the model specs (name, numeric and text parameters); the fitted models (`model.rs`);
//! then the recursion state: offsets, transformed target, statics and transform states.

use super::calendar::DateFeature;
use super::engine::MlFitted;
use super::features::FeatureSpec;
use super::model::MlModel;
use super::spec::MlSpec;
use super::target::{SeriesState, TargetTransform};
use super::transforms::LagTransform;
use crate::error::{Error, Result};
use crate::forecast::codec::{Reader, Writer};
use crate::forecast::ModelParams;

const MAGIC: &[u8; 8] = b"SHELFML\0";
/// The format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

fn strs(w: &mut Writer, v: &[String]) {
    w.u32(v.len() as u32);
    v.iter().for_each(|s| w.str(s));
}

fn read_strs(r: &mut Reader<'_>) -> Result<Vec<String>> {
    let n = r.u32()? as u64;
    (0..r.count(n, 4)?).map(|_| r.str()).collect()
}

fn usizes(w: &mut Writer, v: &[usize]) {
    w.u32(v.len() as u32);
    v.iter().for_each(|&x| w.u64(x as u64));
}

fn read_usizes(r: &mut Reader<'_>) -> Result<Vec<usize>> {
    let n = r.u32()? as u64;
    (0..r.count(n, 8)?)
        .map(|_| r.u64().map(|x| x as usize))
        .collect()
}

fn encode_spec(w: &mut Writer, s: &FeatureSpec) {
    usizes(w, &s.lags);
    w.u32(s.transforms.len() as u32);
    for t in &s.transforms {
        w.str(&t.kind());
        let (window, min_samples, alpha) = match *t {
            LagTransform::Rolling {
                window,
                min_samples,
                ..
            } => (window, min_samples, 0.0),
            LagTransform::ExpandingMean { .. } => (0, 0, 0.0),
            LagTransform::Ewm { alpha, .. } => (0, 0, alpha),
        };
        w.u64(t.lag() as u64);
        w.u64(window as u64);
        w.u64(min_samples as u64);
        w.f64(alpha);
    }
    strs(
        w,
        &s.date_features
            .iter()
            .map(|f| f.name().to_string())
            .collect::<Vec<_>>(),
    );
    w.u32(s.holidays.len() as u32);
    for (name, days) in &s.holidays {
        w.str(name);
        w.u32(days.len() as u32);
        days.iter().for_each(|&d| w.u64(d as u64));
    }
    strs(w, &s.static_names);
    strs(w, &s.dynamic_names);
    w.u32(s.target_transforms.len() as u32);
    for t in &s.target_transforms {
        let (name, d) = t.parts();
        w.str(name);
        w.u64(d as u64);
    }
    w.u8(u8::from(s.dropna));
}

fn decode_spec(r: &mut Reader<'_>) -> Result<FeatureSpec> {
    let lags = read_usizes(r)?;
    let n = r.u32()? as u64;
    let mut transforms = Vec::new();
    for _ in 0..r.count(n, 36)? {
        let kind = r.str()?;
        let (lag, window, min_samples, alpha) = (
            r.u64()? as usize,
            r.u64()? as usize,
            r.u64()? as usize,
            r.f64()?,
        );
        transforms.push(LagTransform::new(
            &kind,
            lag,
            window,
            Some(min_samples).filter(|&m| m > 0),
            alpha,
        )?);
    }
    let date_features = read_strs(r)?
        .iter()
        .map(|n| DateFeature::parse(n))
        .collect::<Result<Vec<_>>>()?;
    let n = r.u32()? as u64;
    let mut holidays = Vec::new();
    for _ in 0..r.count(n, 8)? {
        let name = r.str()?;
        let m = r.u32()? as u64;
        let days = (0..r.count(m, 8)?)
            .map(|_| r.u64().map(|d| d as i64))
            .collect::<Result<Vec<_>>>()?;
        holidays.push((name, days));
    }
    let static_names = read_strs(r)?;
    let dynamic_names = read_strs(r)?;
    let n = r.u32()? as u64;
    let mut target_transforms = Vec::new();
    for _ in 0..r.count(n, 12)? {
        let name = r.str()?;
        target_transforms.push(TargetTransform::new(&name, r.u64()? as usize)?);
    }
    let dropna = r.u8()? != 0;
    FeatureSpec {
        lags,
        transforms,
        date_features,
        holidays,
        static_names,
        dynamic_names,
        target_transforms,
        dropna,
    }
    .check()
}

fn encode_params(w: &mut Writer, p: &ModelParams) {
    w.str(&p.name);
    w.u32(p.num.len() as u32);
    for (k, v) in &p.num {
        w.str(k);
        w.f64(*v);
    }
    w.u32(p.text.len() as u32);
    for (k, v) in &p.text {
        w.str(k);
        w.str(v);
    }
}

fn decode_params(r: &mut Reader<'_>) -> Result<ModelParams> {
    let mut p = ModelParams::named(&r.str()?);
    let n = r.u32()? as u64;
    for _ in 0..r.count(n, 12)? {
        let k = r.str()?;
        p.num.insert(k, r.f64()?);
    }
    let n = r.u32()? as u64;
    for _ in 0..r.count(n, 8)? {
        let k = r.str()?;
        p.text.insert(k, r.str()?);
    }
    Ok(p)
}

/// Encode fitted global models.
pub fn encode(m: &MlFitted) -> Vec<u8> {
    let mut w = Writer::with_capacity(1024 + m.z.len() * 8);
    w.bytes(MAGIC);
    w.u32(FORMAT_VERSION);
    encode_spec(&mut w, &m.spec);
    w.u32(m.specs.len() as u32);
    for (s, model) in m.specs.iter().zip(&m.models) {
        encode_params(&mut w, &s.params());
        model.encode(&mut w);
    }
    usizes(&mut w, &m.offsets);
    w.u64(m.z.len() as u64);
    m.z.iter().for_each(|&v| w.f64(v));
    w.u64(m.statics.len() as u64);
    m.statics.iter().for_each(|&v| w.f64(v));
    for per_series in &m.states {
        for s in per_series {
            match s {
                SeriesState::None => w.u8(0),
                SeriesState::Scale(a, b) => {
                    w.u8(1);
                    w.f64(*a);
                    w.f64(*b);
                }
                SeriesState::Tail(t) => {
                    w.u8(2);
                    w.f64s(t);
                }
            }
        }
    }
    w.buf
}

/// Decode what [`encode`] wrote.
pub fn decode(buf: &[u8]) -> Result<MlFitted> {
    let mut r = Reader::new(buf);
    if r.take(MAGIC.len()).ok() != Some(MAGIC.as_slice()) {
        return Err(Error::Decode(
            "not a shelfcast global-model state (bad magic bytes)".into(),
        ));
    }
    let version = r.u32()?;
    if version != FORMAT_VERSION {
        return Err(Error::Decode(format!(
            "global-model format version {version} is not supported (this shelfcast reads {FORMAT_VERSION}){}",
            if version > FORMAT_VERSION { ": upgrade shelfcast" } else { "" }
        )));
    }
    let spec = decode_spec(&mut r).map_err(|e| Error::Decode(e.to_string()))?;
    let nf = spec.n_features();
    let n = r.u32()? as u64;
    let mut specs = Vec::new();
    let mut models = Vec::new();
    for _ in 0..r.count(n, 8)? {
        let p = decode_params(&mut r)?;
        specs.push(MlSpec::check(&p).map_err(|e| Error::Decode(e.to_string()))?);
        models.push(MlModel::decode(&mut r, nf)?);
    }
    let offsets = read_usizes(&mut r)?;
    let nz = r.u64()?;
    let z = (0..r.count(nz, 8)?)
        .map(|_| r.f64())
        .collect::<Result<Vec<_>>>()?;
    let ns = r.u64()?;
    let statics = (0..r.count(ns, 8)?)
        .map(|_| r.f64())
        .collect::<Result<Vec<_>>>()?;
    let n_series = offsets.len().saturating_sub(1);
    let valid_offsets = offsets.first() == Some(&0)
        && offsets.windows(2).all(|w| w[0] <= w[1])
        && offsets.last() == Some(&z.len())
        && statics.len() == n_series * spec.static_names.len();
    if !valid_offsets || specs.is_empty() {
        return Err(Error::Decode("inconsistent series layout".into()));
    }
    let mut states = Vec::with_capacity(spec.target_transforms.len());
    for _ in &spec.target_transforms {
        let mut per = Vec::with_capacity(n_series);
        for _ in 0..n_series {
            per.push(match r.u8()? {
                0 => SeriesState::None,
                1 => SeriesState::Scale(r.f64()?, r.f64()?),
                2 => SeriesState::Tail(r.f64s()?),
                t => return Err(Error::Decode(format!("unknown transform state tag {t}"))),
            });
        }
        states.push(per);
    }
    r.finish()?;
    Ok(MlFitted {
        spec,
        specs,
        models,
        offsets,
        z,
        statics,
        states,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::features::PanelData;
    use crate::panel::Panel;
    use std::sync::atomic::AtomicUsize;

    fn sample() -> MlFitted {
        let y: Vec<f64> = (0..80).map(|i| ((i * 5) % 9) as f64).collect();
        let days: Vec<i64> = (0..80).map(|i| i % 40).collect();
        let dynamic: Vec<f64> = (0..80).map(|i| (i % 3) as f64).collect();
        let spec = FeatureSpec {
            lags: vec![1, 2],
            transforms: vec![LagTransform::new("rolling_mean", 1, 3, None, 0.0).unwrap()],
            date_features: vec![DateFeature::DayOfWeek],
            holidays: vec![("x".into(), vec![3, 10])],
            static_names: vec!["store".into()],
            dynamic_names: vec!["price".into()],
            target_transforms: vec![TargetTransform::Standardize, TargetTransform::Diff(1)],
            dropna: true,
        }
        .check()
        .unwrap();
        let data = PanelData {
            panel: Panel::new(&y, &[0, 40, 80]).unwrap(),
            days: &days,
            dynamic: &dynamic,
            statics: &[0.0, 1.0],
        };
        let specs: Vec<MlSpec> = ["LinearRegression", "GradientBoosting", "RandomForest"]
            .iter()
            .map(|n| {
                MlSpec::check(&ModelParams::named(n).with("n_estimators", 3.0))
                    .or_else(|_| MlSpec::check(&ModelParams::named(n)))
                    .unwrap()
            })
            .collect();
        crate::ml::fit(&spec, &specs, &data, &AtomicUsize::new(0)).unwrap()
    }

    #[test]
    fn round_trips_and_rejects_garbage() {
        let m = sample();
        let bytes = encode(&m);
        // (NaN != NaN, so compare the re-encoded bytes)
        assert_eq!(encode(&decode(&bytes).unwrap()), bytes);
        assert!(decode(b"SHELFCST").is_err());
        for cut in [0, 10, bytes.len() / 3, bytes.len() - 1] {
            assert!(decode(&bytes[..cut]).is_err(), "cut {cut}");
        }
        let mut newer = bytes.clone();
        newer[8..12].copy_from_slice(&2u32.to_le_bytes());
        assert!(decode(&newer).unwrap_err().to_string().contains("upgrade"));
    }
}
