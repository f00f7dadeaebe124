"""The project's own settings for the request benchmarks, with one change: static files without a manifest.

Production mode (DEBUG=False, set by bench/scale.py) looks every `{% static %}` up in the manifest
that `collectstatic` writes; the benchmarks serve no static file, so they use the plain storage
instead of collecting into the project's folder. Everything else (middleware, router, databases)
is the project's.
"""

import warnings

from config.settings import *  # noqa: F403

# WhiteNoise warns that the (uncollected) static folder is missing; nothing is served from it here.
warnings.filterwarnings("ignore", message="No directory at")

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
