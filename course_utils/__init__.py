"""Helpers for the notebooks of *BERT, hands-on*; each module names the lessons that use it."""

from .profiles import get_profile, model_name, set_seed, show_setup

__all__ = ["get_profile", "model_name", "set_seed", "show_setup"]
