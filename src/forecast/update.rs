//! The panel-level face of `models::refilter`: in-sample fitted values of every model on
//! every series, and the online update (every model re-run with its frozen parameters over
//! the longer series), in parallel across series like the fit. Works on borrowed slices.

use super::engine::{check_exog, FittedPanel};
use super::exog::Exog;
use super::fitted::Fitted;
use super::models;
use crate::error::{Error, Result};
use crate::panel::Panel;
use crate::parallel;
use rayon::prelude::*;

impl FittedPanel {
    /// Errors unless every fit kept its frozen parameters (states read from a format-2
    /// blob did not).
    pub fn require_refilterable(&self) -> Result<()> {
        if self.fitted.iter().flatten().all(Fitted::is_refilterable) {
            return Ok(());
        }
        Err(Error::Decode(
            "this model was saved by an older shelfcast (model format 2), without the frozen \
             parameters that update and fitted values need; refit to use update or fitted \
             values"
                .into(),
        ))
    }

    /// Check that `panel` (and `x`) can be refiltered: one series per fitted series,
    /// non-empty and finite, regressors with one row per value and the fitted column count.
    fn check_refilter(&self, panel: &Panel<'_>, x: Exog<'_>) -> Result<()> {
        self.require_refilterable()?;
        if panel.len() != self.n_series() {
            return Err(Error::Shape(format!(
                "the models were fitted on {} series, got {}",
                self.n_series(),
                panel.len()
            )));
        }
        panel.require_finite()?;
        if let Some(i) = (0..panel.len()).find(|&i| panel.series(i).is_empty()) {
            return Err(Error::InvalidSeries {
                series: i,
                reason: "has no observations".into(),
            });
        }
        check_exog(panel, x, &self.specs)?;
        let k = self.n_exog();
        if k > 0 && x.k() != k {
            return Err(Error::Shape(format!(
                "the models were fitted with {k} regressors, got {}",
                x.k()
            )));
        }
        Ok(())
    }

    /// In-sample one-step-ahead fitted values of every model over `panel` (normally the
    /// training panel) with the regressors `x` (one row per value; [`Exog::NONE`] for
    /// none), model-major: `out[m * n_values + row]`, NaN where a model has no one-step
    /// forecast. The models' states are not changed.
    ///
    /// Errors when a fit has no frozen parameters (format-2 blob), or the panel or `x`
    /// does not match the fit.
    pub fn fitted_values(&self, panel: &Panel<'_>, x: Exog<'_>) -> Result<Vec<f64>> {
        self.check_refilter(panel, x)?;
        let n_values = panel.series_len_total();
        let mut out = vec![f64::NAN; self.specs.len() * n_values];
        if n_values == 0 {
            return Ok(out);
        }
        parallel::install(|| {
            out.par_chunks_mut(n_values)
                .zip(self.fitted.par_iter())
                .zip(self.specs.par_iter())
                .for_each(|((col, per_series), spec)| {
                    let mut parts = Vec::with_capacity(panel.len());
                    let mut rest = col;
                    for i in 0..panel.len() {
                        let (a, b) = panel.bounds(i);
                        let (head, tail) = rest.split_at_mut(b - a);
                        parts.push(head);
                        rest = tail;
                    }
                    parts
                        .into_par_iter()
                        .zip(per_series.par_iter())
                        .enumerate()
                        .for_each(|(i, (part, f))| {
                            let (a, b) = panel.bounds(i);
                            models::refilter_x(spec, f, panel.series(i), x.rows(a, b), Some(part));
                        });
                });
        });
        Ok(out)
    }

    /// The online update: every model of the series `i` with `which[i]` (all series when
    /// `which` is None) re-run with its frozen parameters over `panel`'s series `i`
    /// (normally the training series followed by new observations) and its regressors;
    /// the other series keep their fits. Nothing is re-estimated, so the result forecasts
    /// as a refit with frozen parameters would.
    ///
    /// Errors when a fit has no frozen parameters (format-2 blob), the panel or `x` does
    /// not match the fit, or `which` has the wrong length.
    pub fn refilter(
        &self,
        panel: &Panel<'_>,
        x: Exog<'_>,
        which: Option<&[bool]>,
    ) -> Result<FittedPanel> {
        self.check_refilter(panel, x)?;
        if let Some(w) = which {
            if w.len() != panel.len() {
                return Err(Error::Shape(format!(
                    "`which` has {} flags for {} series",
                    w.len(),
                    panel.len()
                )));
            }
        }
        let fitted = parallel::install(|| {
            self.fitted
                .par_iter()
                .zip(self.specs.par_iter())
                .map(|(per_series, spec)| {
                    per_series
                        .par_iter()
                        .enumerate()
                        .map(|(i, f)| {
                            if which.is_some_and(|w| !w[i]) {
                                return f.clone();
                            }
                            let (a, b) = panel.bounds(i);
                            models::refilter_x(spec, f, panel.series(i), x.rows(a, b), None)
                        })
                        .collect()
                })
                .collect()
        });
        Ok(FittedPanel {
            specs: self.specs.clone(),
            fitted,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::engine::fit;
    use crate::forecast::spec::ModelSpec;

    #[test]
    fn fitted_values_and_update_of_a_panel() {
        let v = [1.0, 2.0, 3.0, 0.0, 4.0, 0.0, 0.0, 2.0];
        let p = Panel::new(&v, &[0, 3, 8]).unwrap();
        let specs = [ModelSpec::Naive, ModelSpec::HistoricAverage];
        let fp = fit(&p, &specs).unwrap();
        let fv = fp.fitted_values(&p, Exog::NONE).unwrap();
        let nan = f64::NAN;
        let naive = [nan, 1.0, 2.0, nan, 0.0, 4.0, 0.0, 0.0];
        for (a, b) in fv[..8].iter().zip(naive) {
            assert!(a == &b || (a.is_nan() && b.is_nan()), "{fv:?}");
        }
        assert_eq!(&fv[8..11], &[2.0; 3]);
        // series 0 gains two observations, series 1 keeps its fit
        let longer = [1.0, 2.0, 3.0, 5.0, 7.0, 0.0, 4.0, 0.0, 0.0, 2.0];
        let q = Panel::new(&longer, &[0, 5, 10]).unwrap();
        let up = fp.refilter(&q, Exog::NONE, Some(&[true, false])).unwrap();
        assert_eq!(up, fit(&q, &specs).unwrap());
        assert!(fp.refilter(&q, Exog::NONE, Some(&[true])).is_err());
        let one = Panel::new(&longer, &[0, 10]).unwrap();
        assert!(fp.refilter(&one, Exog::NONE, None).is_err());
        assert!(fp.fitted_values(&one, Exog::NONE).is_err());
    }
}
