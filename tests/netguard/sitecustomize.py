"""Loaded by every Python process the tests start (kernels included): no network but loopback."""

import netguard

netguard.install()
