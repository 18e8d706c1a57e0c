"""The stats service's CDK constructs: import ``StatsService``, its props and auth from here."""

from .alarm_topic import allow_alarm_notifications
from .auth import Auth, HeaderAuth, IamAuth, JwtAuth
from .stats_service import StatsService, StatsServiceProps
from .stats_stack import StatsStack

__all__ = [
    "Auth",
    "HeaderAuth",
    "IamAuth",
    "JwtAuth",
    "StatsService",
    "StatsServiceProps",
    "StatsStack",
    "allow_alarm_notifications",
]
