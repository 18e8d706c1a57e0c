"""The stats service's CDK constructs: import ``StatsService``, its props and auth from here."""

from stacks.auth import Auth, HeaderAuth, IamAuth, JwtAuth
from stacks.stats_service import StatsService, StatsServiceProps
from stacks.stats_stack import StatsStack

__all__ = [
    "Auth",
    "HeaderAuth",
    "IamAuth",
    "JwtAuth",
    "StatsService",
    "StatsServiceProps",
    "StatsStack",
]
