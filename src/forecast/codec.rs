//! Little-endian binary writer/reader used by the persisted model format. The reader
//! bounds-checks every read, so truncated or hostile input is an error, never a panic.

use crate::error::{Error, Result};

/// Appends values to a byte buffer.
#[derive(Debug, Default)]
pub struct Writer {
    /// The bytes written so far.
    pub buf: Vec<u8>,
}

impl Writer {
    /// A writer with room for `n` bytes.
    pub fn with_capacity(n: usize) -> Self {
        Writer {
            buf: Vec::with_capacity(n),
        }
    }
    /// Raw bytes.
    pub fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }
    /// One byte.
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    /// A u32.
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    /// A u64.
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    /// An f64.
    pub fn f64(&mut self, v: f64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    /// A length-prefixed f64 vector.
    pub fn f64s(&mut self, v: &[f64]) {
        self.u32(v.len() as u32);
        for x in v {
            self.f64(*x);
        }
    }
    /// A length-prefixed UTF-8 string.
    pub fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.bytes(s.as_bytes());
    }
}

/// Reads values back, failing cleanly at the end of the data.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    layout: u32,
}

impl<'a> Reader<'a> {
    /// Read from `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader {
            buf,
            pos: 0,
            layout: u32::MAX,
        }
    }
    /// Read a blob written in format version `layout` (payloads whose layout changed
    /// between versions ask [`Reader::layout`] which one to read; a new reader reads the
    /// current layout).
    pub fn with_layout(mut self, layout: u32) -> Self {
        self.layout = layout;
        self
    }
    /// The format version being read (`u32::MAX`: the current one).
    pub fn layout(&self) -> u32 {
        self.layout
    }
    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
    /// The next `n` raw bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| Error::Decode(format!("truncated at byte {}", self.pos)))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    /// One byte.
    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    /// A u32.
    pub fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    /// A u64.
    pub fn u64(&mut self) -> Result<u64> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(a))
    }
    /// An f64.
    pub fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_bits(self.u64()?))
    }
    /// A count of items of at least `min_bytes` each that must fit in the remaining data.
    pub fn count(&mut self, n: u64, min_bytes: usize) -> Result<usize> {
        if n.saturating_mul(min_bytes.max(1) as u64) > self.remaining() as u64 {
            return Err(Error::Decode(format!(
                "count {n} at byte {} exceeds the data",
                self.pos
            )));
        }
        Ok(n as usize)
    }
    /// A length-prefixed f64 vector.
    pub fn f64s(&mut self) -> Result<Vec<f64>> {
        let n = self.u32()? as u64;
        let n = self.count(n, 8)?;
        (0..n).map(|_| self.f64()).collect()
    }
    /// A length-prefixed UTF-8 string.
    pub fn str(&mut self) -> Result<String> {
        let n = self.u32()? as u64;
        let n = self.count(n, 1)?;
        std::str::from_utf8(self.take(n)?)
            .map(str::to_string)
            .map_err(|_| Error::Decode("string is not UTF-8".into()))
    }
    /// Fail unless every byte was read.
    pub fn finish(self) -> Result<()> {
        if self.pos != self.buf.len() {
            return Err(Error::Decode(format!(
                "{} unexpected trailing bytes",
                self.buf.len() - self.pos
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_truncation() {
        let mut w = Writer::default();
        w.u8(7);
        w.str("abc");
        w.f64s(&[1.5, -2.0]);
        w.u64(9);
        let mut r = Reader::new(&w.buf);
        assert_eq!(r.u8().unwrap(), 7);
        assert_eq!(r.str().unwrap(), "abc");
        assert_eq!(r.f64s().unwrap(), vec![1.5, -2.0]);
        assert_eq!(r.u64().unwrap(), 9);
        r.finish().unwrap();
        let mut short = Reader::new(&w.buf[..6]);
        short.u8().unwrap();
        assert!(short.str().is_err());
        let mut huge = Reader::new(&[255, 255, 255, 255]);
        assert!(huge.f64s().is_err());
    }
}
