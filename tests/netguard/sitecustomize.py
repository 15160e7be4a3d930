"""Loaded by every Python process the tests start (kernels included): no network but loopback,
and deprecations from the course's libraries are errors (``drift_sentinel``)."""

import drift_sentinel
import netguard

netguard.install()
drift_sentinel.install()
