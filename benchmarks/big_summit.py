"""The 400-session summit the pages and feeds benchmarks share (temporary re-export)."""

from feeds import build, fetch, median_ms

__all__ = ["build", "fetch", "median_ms"]
