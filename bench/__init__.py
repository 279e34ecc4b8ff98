"""Benchmarks: each prints its figure next to a reference measured in the same run, and the ratio."""
