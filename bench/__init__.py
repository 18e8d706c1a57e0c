"""Benchmarks of the stats service, run with ``make bench`` (or ``python -m bench``).

They measure what the README claims and write ``docs/benchmarks.md`` and
``docs/benchmarks.png``: course stats cost the same for 1 or 5,000 sessions, what a POST
costs in write units, each handler's cold start next to a bare boto3 floor, and the size of
the Lambda asset. Nothing here is imported by the service or its tests.
"""
