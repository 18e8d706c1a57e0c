"""One module per function: each is the entry point of one single-purpose Lambda function
(a route's, or the aggregator's)."""

from stats_api import init_phase

init_phase.begin()  # before the handler's imports (init_phase's docstring)
