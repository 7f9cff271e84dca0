//! A small, versioned, little-endian binary encoding of [`FittedPanel`]. It executes
//! nothing on load (unlike pickle) and rejects garbage, truncation and newer versions.
//!
//! Layout (version 1): magic `SHELFCST`, u32 version, u32 model count; per model a
//! length-prefixed UTF-8 name and a u64 season length (0 = none), then a u64 series count
//! and per series: u32 cycle length, the cycle as f64s, f64 sigma, u8 fallback code.

use super::engine::FittedPanel;
use super::fitted::{Fallback, Fitted};
use super::spec::ModelParams;
use crate::error::{Error, Result};

const MAGIC: &[u8; 8] = b"SHELFCST";
/// The format version this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

/// Encode a fitted panel.
pub fn encode(fp: &FittedPanel) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + fp.n_series() * fp.specs.len() * 32);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(fp.specs.len() as u32).to_le_bytes());
    for s in &fp.specs {
        let name = s.name().as_bytes();
        out.extend_from_slice(&(name.len() as u32).to_le_bytes());
        out.extend_from_slice(name);
        out.extend_from_slice(&(s.season_length().unwrap_or(0) as u64).to_le_bytes());
    }
    out.extend_from_slice(&(fp.n_series() as u64).to_le_bytes());
    for per_series in &fp.fitted {
        for f in per_series {
            out.extend_from_slice(&(f.cycle.len() as u32).to_le_bytes());
            for v in &f.cycle {
                out.extend_from_slice(&v.to_le_bytes());
            }
            out.extend_from_slice(&f.sigma.to_le_bytes());
            out.push(f.fallback.map_or(0, Fallback::code));
        }
    }
    out
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| Error::Decode(format!("truncated at byte {}", self.pos)))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(a))
    }
    fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_bits(self.u64()?))
    }
    /// A count that must fit in what is left of the buffer at `min_bytes` each.
    fn count(&mut self, n: u64, min_bytes: usize) -> Result<usize> {
        let left = (self.buf.len() - self.pos) as u64;
        if n.saturating_mul(min_bytes as u64) > left {
            return Err(Error::Decode(format!(
                "count {n} at byte {} exceeds the data",
                self.pos
            )));
        }
        Ok(n as usize)
    }
}

/// Decode what [`encode`] wrote.
pub fn decode(buf: &[u8]) -> Result<FittedPanel> {
    let mut r = Reader { buf, pos: 0 };
    if r.take(MAGIC.len()).ok() != Some(MAGIC.as_slice()) {
        return Err(Error::Decode(
            "not a shelfcast model (bad magic bytes)".into(),
        ));
    }
    let version = r.u32()?;
    if version == 0 || version > FORMAT_VERSION {
        return Err(Error::Decode(format!(
            "format version {version} is not supported by this shelfcast (reads 1..={FORMAT_VERSION}); upgrade shelfcast"
        )));
    }
    let n_models = r.u32()? as u64;
    let n_models = r.count(n_models, 12)?;
    let mut specs = Vec::with_capacity(n_models);
    for _ in 0..n_models {
        let len = r.u32()? as u64;
        let len = r.count(len, 1)?;
        let name = std::str::from_utf8(r.take(len)?)
            .map_err(|_| Error::Decode("model name is not UTF-8".into()))?
            .to_string();
        let s = r.u64()?;
        let params = ModelParams {
            name,
            season_length: if s == 0 { None } else { Some(s as i64) },
        };
        specs.push(params.check().map_err(|e| Error::Decode(e.to_string()))?);
    }
    let n_series = r.u64()?;
    let n_series = r.count(n_series, 13usize.saturating_mul(n_models.max(1)))?;
    let mut fitted = Vec::with_capacity(n_models);
    for _ in 0..n_models {
        let mut per = Vec::with_capacity(n_series);
        for _ in 0..n_series {
            let len = r.u32()? as u64;
            let len = r.count(len, 8)?;
            if len == 0 {
                return Err(Error::Decode("empty forecast cycle".into()));
            }
            let cycle = (0..len).map(|_| r.f64()).collect::<Result<Vec<_>>>()?;
            let sigma = r.f64()?;
            let code = r.u8()?;
            let fallback = Fallback::from_code(code)
                .ok_or_else(|| Error::Decode(format!("unknown fallback code {code}")))?;
            per.push(Fitted {
                cycle,
                sigma,
                fallback,
            });
        }
        fitted.push(per);
    }
    if r.pos != buf.len() {
        return Err(Error::Decode(format!(
            "{} unexpected trailing bytes",
            buf.len() - r.pos
        )));
    }
    Ok(FittedPanel { specs, fitted })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::engine::fit;
    use crate::forecast::spec::ModelSpec;
    use crate::panel::Panel;

    fn sample() -> FittedPanel {
        let v = [1.0, 0.0, 3.0, 0.0, 0.0, 2.0, 5.0];
        let p = Panel::new(&v, &[0, 3, 7]).unwrap();
        fit(
            &p,
            &[
                ModelSpec::SeasonalNaive { season_length: 4 },
                ModelSpec::CrostonClassic,
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
