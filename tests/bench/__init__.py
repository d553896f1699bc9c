"""Benchmark suite of hotrush_priority, run by ``scripts/bench``.

``python -m bench`` (with ``tests/`` on ``PYTHONPATH``) builds its own databases, measures
each criterion of the performance issue against its baseline in the same run, prints one
table of ratios with PASS/FAIL and keeps the raw figures in a JSON file.
"""
