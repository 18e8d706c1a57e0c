"""The stats service's CDK constructs: import ``StatsService``, its props (``LrsProps`` for an
LRS) and auth from here."""

from .alarm_topic import allow_alarm_notifications
from .auth import Auth, HeaderAuth, IamAuth, JwtAuth
from .lrs_props import LrsProps
from .props import StatsServiceProps
from .service import StatsService
from .stack import StatsStack

__all__ = [
    "Auth",
    "HeaderAuth",
    "IamAuth",
    "JwtAuth",
    "LrsProps",
    "StatsService",
    "StatsServiceProps",
    "StatsStack",
    "allow_alarm_notifications",
]
