"""The stats service's CDK constructs: import ``StatsService``, its props and auth from here."""

from .alarm_topic import allow_alarm_notifications
from .auth import Auth, HeaderAuth, IamAuth, JwtAuth
from .props import StatsServiceProps
from .service import StatsService
from .stack import StatsStack

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
