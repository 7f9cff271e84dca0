//! A small, versioned, little-endian binary encoding of [`FittedPanel`]. It executes
//! nothing on load (unlike pickle) and rejects garbage, truncation and newer versions.
//!
//! Layout (version 3): magic `SHELFCST`, u32 version, u32 model count; per model its
//! canonical parameters (name, then numeric and text parameters as length-prefixed
//! key/value lists); a u64 series count; then model-major, per series, the fitted state
//! (a tag byte and its payload, see `fitted.rs`), f64 sigma, a u8 fallback code and the
//! frozen parameters (a tag byte and its payload, see `frozen.rs`).
//!
//! Version 2 (no frozen parameters) still loads: such a model forecasts as before, but
//! cannot be updated or give fitted values ([`FittedPanel::require_refilterable`]).

use super::codec::{Reader, Writer};
use super::engine::FittedPanel;
use super::fitted::Fitted;
use super::spec::{ModelParams, ModelSpec};
use crate::error::{Error, Result};

const MAGIC: &[u8; 8] = b"SHELFCST";
/// The format version this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 3;
/// The oldest format version this build reads.
pub const OLDEST_VERSION: u32 = 2;

fn encode_spec(w: &mut Writer, spec: &ModelSpec) {
    let p = spec.params();
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

fn decode_spec(r: &mut Reader<'_>) -> Result<ModelSpec> {
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
    p.check().map_err(|e| Error::Decode(e.to_string()))
}

/// Encode a fitted panel.
pub fn encode(fp: &FittedPanel) -> Vec<u8> {
    let mut w = Writer::with_capacity(64 + fp.n_series() * fp.specs.len() * 40);
    w.bytes(MAGIC);
    w.u32(FORMAT_VERSION);
    w.u32(fp.specs.len() as u32);
    for s in &fp.specs {
        encode_spec(&mut w, s);
    }
    w.u64(fp.n_series() as u64);
    for per_series in &fp.fitted {
        for f in per_series {
            f.encode(&mut w);
        }
    }
    w.buf
}

/// Decode what [`encode`] wrote.
pub fn decode(buf: &[u8]) -> Result<FittedPanel> {
    let mut r = Reader::new(buf);
    if r.take(MAGIC.len()).ok() != Some(MAGIC.as_slice()) {
        return Err(Error::Decode(
            "not a shelfcast model (bad magic bytes)".into(),
        ));
    }
    let version = r.u32()?;
    if !(OLDEST_VERSION..=FORMAT_VERSION).contains(&version) {
        let hint = if version > FORMAT_VERSION {
            "it was written by a newer shelfcast; upgrade shelfcast"
        } else {
            "it was written by an older development version; refit the model"
        };
        return Err(Error::Decode(format!(
            "format version {version} is not supported (this shelfcast reads \
             {OLDEST_VERSION}..={FORMAT_VERSION}): {hint}"
        )));
    }
    let mut r = r.with_layout(version);
    let n_models = r.u32()? as u64;
    let n_models = r.count(n_models, 12)?;
    let specs = (0..n_models)
        .map(|_| decode_spec(&mut r))
        .collect::<Result<Vec<_>>>()?;
    let n_series = r.u64()?;
    let n_series = r.count(n_series, 18usize.saturating_mul(n_models.max(1)))?;
    let mut fitted = Vec::with_capacity(n_models);
    for _ in 0..n_models {
        let per = (0..n_series)
            .map(|_| Fitted::decode(&mut r))
            .collect::<Result<Vec<_>>>()?;
        fitted.push(per);
    }
    r.finish()?;
    Ok(FittedPanel { specs, fitted })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::engine::fit;
    use crate::panel::Panel;

    fn sample() -> FittedPanel {
        let v = [1.0, 0.0, 3.0, 0.0, 0.0, 2.0, 5.0];
        let p = Panel::new(&v, &[0, 3, 7]).unwrap();
        fit(
            &p,
            &[
                ModelSpec::SeasonalNaive { season_length: 4 },
                ModelSpec::CrostonClassic,
                ModelSpec::Tsb {
                    alpha_d: 0.2,
                    alpha_p: 0.3,
                },
            ],
        )
        .unwrap()
    }

    #[test]
    fn round_trips() {
        let fp = sample();
        assert_eq!(decode(&encode(&fp)).unwrap(), fp);
    }

    #[test]
    fn reads_format_2_without_frozen_parameters() {
        let fp = sample();
        let mut w = Writer::default();
        w.bytes(MAGIC);
        w.u32(2);
        w.u32(fp.specs.len() as u32);
        for s in &fp.specs {
            encode_spec(&mut w, s);
        }
        w.u64(fp.n_series() as u64);
        for f in fp.fitted.iter().flatten() {
            f.encode_v2(&mut w);
        }
        let old = decode(&w.buf).unwrap();
        assert_eq!(old.predict(5).unwrap(), fp.predict(5).unwrap());
        assert!(old.fitted.iter().flatten().all(|f| !f.frozen.is_known()));
        let msg = old.require_refilterable().unwrap_err().to_string();
        assert!(
            msg.contains("older shelfcast") && msg.contains("refit"),
            "{msg}"
        );
        fp.require_refilterable().unwrap();
        // re-saved, it stays a model without frozen parameters
        let again = decode(&encode(&old)).unwrap();
        assert!(again.require_refilterable().is_err());
        let mut older = w.buf;
        older[8..12].copy_from_slice(&1u32.to_le_bytes());
        assert!(decode(&older).unwrap_err().to_string().contains("older"));
    }

    #[test]
    fn rejects_garbage_truncation_and_newer_versions() {
        let bytes = encode(&sample());
        assert!(decode(b"hello world").is_err());
        for cut in [0, 5, 12, bytes.len() / 2, bytes.len() - 1] {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut newer = bytes.clone();
        newer[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
        let msg = decode(&newer).unwrap_err().to_string();
        assert!(msg.contains("upgrade"), "{msg}");
        let mut trailing = bytes;
        trailing.push(0);
        assert!(decode(&trailing).is_err());
    }
}
