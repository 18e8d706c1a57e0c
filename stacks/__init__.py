"""The stats service's CDK constructs: import ``StatsService`` and its props from here."""

from stacks.stats_service import StatsService, StatsServiceProps
from stacks.stats_stack import StatsStack

__all__ = ["StatsService", "StatsServiceProps", "StatsStack"]
