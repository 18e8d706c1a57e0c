"""How a table is declared: its key schema, local secondary indexes and stream, as plain
data. Each of the service's tables declares its schema once, beside its keys
(``table_keys.SCHEMA``, ``analytics_keys.SCHEMA``); the CDK construct renders it
(``stats_service.table``) and so does every local table (``stats_devkit.tables``: the local
run, the tests, the benchmarks), and a test holds the two renderings to each other.

Plain data on purpose: the construct imports it, and nothing of the runtime's.
"""

from __future__ import annotations

from dataclasses import dataclass

PROJECT_ALL = "ALL"  # an index holds whole items


@dataclass(frozen=True)
class LocalIndex:
    """A local secondary index: the table's partition key, its own sort key."""

    name: str
    sort_key: str
    projection: str = PROJECT_ALL


@dataclass(frozen=True)
class TableSchema:
    """Every key attribute is a string."""

    partition_key: str
    sort_key: str
    # Local indexes exist only if the table is created with them.
    local_indexes: tuple[LocalIndex, ...] = ()
    # What its stream carries, where a consumer reads one (None: it never streams).
    stream_view_type: str | None = None

    @property
    def key_attributes(self) -> tuple[str, ...]:
        """The attributes the table and its indexes are keyed by, each once."""
        names = (self.partition_key, self.sort_key, *(i.sort_key for i in self.local_indexes))
        return tuple(dict.fromkeys(names))
