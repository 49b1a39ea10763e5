"""Benchmark-only settings: the platform's settings plus two bare baseline views.

Never used by the product. ``bench.run`` serves the platform with these settings so
that the baselines (a bare Django view reading one row, and one writing one row) run
in the same processes, behind the same middleware, as the pages they are compared
with.
"""

from config.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench.baseline_urls"
DEBUG = False
# Load generation uses many accounts from one address; the sign-in throttle would
# otherwise count the benchmark's own requests. Nothing here signs in by password.
AXES_ENABLED = False
