//! Unit tests of the public API (fits, forecasts, persistence, search).
