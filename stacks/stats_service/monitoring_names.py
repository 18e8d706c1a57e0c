"""Physical names of a ``StatsService``'s alarms and dashboard: unique where AWS needs them.

Alarm names are unique per account and region, dashboard names per account, so fixed names
would keep the same stage in two regions, two services in one stack, or two apps' stacks
from deploying side by side.
"""

from __future__ import annotations

import hashlib
import re

from aws_cdk import Stack
from constructs import Construct


def alarm_name_prefix(service: Construct) -> str:
    """``<stack name>-<service id>-<hash of the service's path>``: how ``service``'s alarm
    names start.

    A region holds one stack of a name per account; the path tells services within a stack
    apart. It must be a literal (cdk-monitoring-constructs makes construct ids of alarm
    names), so it leaves the region out: alarm names need only differ within a region.
    """
    readable_id = re.sub(r"[^A-Za-z0-9-]", "", service.node.id)  # dashboard-name characters
    instance = hashlib.sha256(service.node.path.encode()).hexdigest()[:8]
    return f"{Stack.of(service).stack_name}-{readable_id}-{instance}"


def dashboard_name(service: Construct) -> str:
    """The alarm-name prefix and the region: the same stack in two regions needs two
    dashboard names (the region is a token until deploy in an environment-agnostic stack)."""
    return f"{alarm_name_prefix(service)}-{Stack.of(service).region}"
