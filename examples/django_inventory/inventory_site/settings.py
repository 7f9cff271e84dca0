"""Settings of the shelfcast inventory example (SQLite, no static files, JSON only).

Everything a deployment would change comes from the environment:
``DJANGO_SECRET_KEY``, ``DJANGO_DEBUG`` ("1" to enable), ``DJANGO_DB_PATH`` and
``INVENTORY_FORECASTER_CACHE`` ("process" or "django", see ``inventory/forecasting.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-example-key-change-me")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "inventory",
]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "inventory_site.urls"
WSGI_APPLICATION = "inventory_site.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DJANGO_DB_PATH", str(BASE_DIR / "db.sqlite3")),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The "django" forecaster cache pickles the fitted forecaster into this cache. LocMemCache
# is per process; point it at Redis / Memcached / the database to share fitted models
# between worker processes.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "shelfcast-forecasters",
        "TIMEOUT": 24 * 3600,
    }
}

# Which forecaster cache the JSON view uses: "process" (a module-level dict of fitted
# forecasters, keyed by model and data version) or "django" (pickled into CACHES).
INVENTORY_FORECASTER_CACHE = os.environ.get("INVENTORY_FORECASTER_CACHE", "process")
# The model the view and `replenish` use unless told otherwise (see inventory/forecasting.py).
INVENTORY_DEFAULT_MODEL = "croston_sba"

USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"inventory": {"handlers": ["console"], "level": "WARNING"}},
}
