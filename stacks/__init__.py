"""The stats service's CDK constructs: import ``StatsService``, its props and auth from here."""

from .auth import Auth, HeaderAuth, IamAuth, JwtAuth
from .monitoring import allow_alarm_notifications
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
