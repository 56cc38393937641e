"""Benchmarks run by ``scripts/bench``: each prints one JSON object."""
