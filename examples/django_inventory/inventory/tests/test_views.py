"""The forecast JSON view: the forecaster's own numbers, one fit per data version, both caches,
and pickling through Django's cache."""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from django.core.cache import cache
from django.test import TestCase, override_settings
from shelfcast import DemandForecaster
from shelfcast.models import TSB, CrostonSBA

from inventory import forecasting
from inventory.models import Item, Sale

from . import helpers
from .helpers import bundled

PANEL_END = dt.date(2011, 12, 9)


def direct_forecast(sku: str, h: int, levels: list[float], model: Any = None) -> pd.DataFrame:
    """The forecast of ``sku`` by a forecaster fitted directly on the bundled test SKUs."""
    sales, _ = bundled(PANEL_END)
    fc = DemandForecaster([model or CrostonSBA()], freq="D").fit(sales)
    pred = fc.predict(h, level=levels)
    return pred[pred["unique_id"] == sku].reset_index(drop=True)


class ForecastViewTest(TestCase):
    """``GET /items/<id>/forecast``."""

    @classmethod
    def setUpTestData(cls) -> None:
        helpers.load()

    def setUp(self) -> None:
        forecasting.clear()

    def item(self, rank: int = 0) -> Item:
        return Item.objects.get(sku=helpers.skus()[rank])

    def get(self, item_id: int, query: str = "") -> dict[str, Any]:
        response = self.client.get(f"/items/{item_id}/forecast{query}")
        self.assertEqual(response.status_code, 200, response.content)
        body: dict[str, Any] = response.json()
        return body

    def test_returns_the_forecasters_numbers(self) -> None:
        item = self.item(2)
        body = self.get(item.pk, "?h=14&level=80&level=95")
        expected = direct_forecast(item.sku, 14, [80, 95])
        self.assertEqual(body["sku"], item.sku)
        self.assertEqual(body["h"], 14)
        self.assertEqual(body["levels"], [80.0, 95.0])
        self.assertEqual(body["data_end"], "2011-12-09")
        rows = body["forecast"]
        self.assertEqual(len(rows), 14)
        self.assertEqual(
            [r["ds"] for r in rows],
            pd.date_range("2011-12-10", periods=14).strftime("%Y-%m-%d").tolist(),
        )
        for key, col in [
            ("mean", "CrostonSBA"),
            ("lo-80", "CrostonSBA-lo-80"),
            ("hi-80", "CrostonSBA-hi-80"),
            ("lo-95", "CrostonSBA-lo-95"),
            ("hi-95", "CrostonSBA-hi-95"),
        ]:
            np.testing.assert_array_equal([r[key] for r in rows], expected[col].to_numpy(), key)
        # intervals are real intervals, not copies of the mean
        self.assertTrue(
            all(r["lo-95"] <= r["lo-80"] <= r["mean"] <= r["hi-80"] <= r["hi-95"] for r in rows)
        )
        self.assertTrue(any(r["hi-95"] > r["hi-80"] for r in rows))

    def test_defaults_and_model_parameter(self) -> None:
        item = self.item(0)
        body = self.get(item.pk)
        self.assertEqual((body["h"], body["levels"], body["model"]), (28, [80.0], "croston_sba"))
        body = self.get(item.pk, "?model=tsb&h=7")
        expected = direct_forecast(item.sku, 7, [80], TSB(alpha_d=0.1, alpha_p=0.1))
        np.testing.assert_array_equal([r["mean"] for r in body["forecast"]], expected["TSB"])
        np.testing.assert_array_equal([r["hi-80"] for r in body["forecast"]], expected["TSB-hi-80"])

    def test_fits_once_per_data_version(self) -> None:
        a, b = self.item(0), self.item(1)
        first = self.get(a.pk)
        self.get(b.pk, "?h=3")
        self.get(a.pk, "?level=95")
        self.assertEqual(forecasting.stats.fits, 1)
        # a new sale changes the data version: the next request refits on it
        Sale.objects.create(
            item=a, date=PANEL_END + dt.timedelta(days=1), quantity=500, price=Decimal("1.25")
        )
        second = self.get(a.pk)
        self.assertEqual(forecasting.stats.fits, 2)
        self.assertNotEqual(second["data_version"], first["data_version"])
        self.assertEqual(second["data_end"], "2011-12-10")
        self.assertEqual(second["forecast"][0]["ds"], "2011-12-11")
        self.assertNotEqual(second["forecast"][0]["mean"], first["forecast"][0]["mean"])

    def test_process_and_django_caches_serve_the_same_numbers(self) -> None:
        item = self.item(3)
        query = "?h=21&level=50&level=90"
        by_process = self.get(item.pk, query)
        self.assertEqual(forecasting.stats.fits, 1)
        with override_settings(INVENTORY_FORECASTER_CACHE="django"):
            by_django = self.get(item.pk, query)
            self.assertEqual(forecasting.stats.fits, 2)  # its own cache: one more fit
            forecasting._process_cache.clear()  # the django mode must not need it
            again = self.get(item.pk, query)
            self.assertEqual(forecasting.stats.fits, 2)  # served from Django's cache
        self.assertEqual(by_django, by_process)
        self.assertEqual(again, by_process)

    def test_django_cache_pickles_the_fitted_forecaster(self) -> None:
        fitted = forecasting.get_forecaster("croston_sba", backend="django")
        key = forecasting.cache_key("croston_sba", fitted.version)
        # LocMemCache stores pickles: every get unpickles a new, equal forecaster
        one, two = cache.get(key), cache.get(key)
        self.assertIsInstance(one, forecasting.FittedForecaster)
        self.assertIsNot(one, two)
        self.assertIsNot(one.forecaster, fitted.forecaster)
        for restored in (one, two, pickle.loads(pickle.dumps(fitted))):
            pd.testing.assert_frame_equal(
                restored.forecaster.predict(28, level=[80], quantiles=[0.9]),
                fitted.forecaster.predict(28, level=[80], quantiles=[0.9]),
            )
            pd.testing.assert_frame_equal(
                restored.forecaster.residual_std(), fitted.forecaster.residual_std()
            )
            np.testing.assert_array_equal(
                restored.forecaster.sample_paths(7, n_paths=20, seed=3),
                fitted.forecaster.sample_paths(7, n_paths=20, seed=3),
            )

    def test_errors(self) -> None:
        item = self.item(0)
        for query, message in [
            ("?h=0", "h must be between 1 and 366"),
            ("?h=abc", "invalid literal"),
            ("?level=100", "level must be strictly between 0 and 100"),
            ("?level=nan", "level must be strictly between 0 and 100"),
            ("?model=prophet", "unknown model 'prophet'"),
        ]:
            with self.subTest(query=query):
                response = self.client.get(f"/items/{item.pk}/forecast{query}")
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.json()["error"])
        response = self.client.get("/items/999999/forecast")
        self.assertEqual(response.status_code, 404)
        new = Item.objects.create(
            sku="NEW-1", lead_time=7, unit_cost=1, holding_cost=0.01, order_cost=20
        )
        response = self.client.get(f"/items/{new.pk}/forecast")
        self.assertEqual(response.status_code, 404)
        self.assertIn("no sales history", response.json()["error"])
        self.assertEqual(self.client.post(f"/items/{item.pk}/forecast").status_code, 405)

    def test_no_sales_at_all_is_404(self) -> None:
        Sale.objects.all().delete()
        response = self.client.get(f"/items/{self.item().pk}/forecast")
        self.assertEqual(response.status_code, 404)
        self.assertIn("load_demo_data", response.json()["error"])

    def test_item_list(self) -> None:
        body = self.client.get("/items/").json()
        self.assertEqual([r["sku"] for r in body["items"]], sorted(helpers.skus()))
        first = body["items"][0]
        self.assertEqual(first["forecast_url"], f"/items/{first['id']}/forecast")
