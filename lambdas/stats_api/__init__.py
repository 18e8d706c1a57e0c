"""Runtime code of the stats service's Lambda functions.

Layers, each one hop from a handler: ``handlers`` (HTTP event in, HTTP response out; the
aggregator: stream records in), ``identifiers``, ``session_body``, ``query_parameters``,
``learner_stats``, ``course_analytics`` and ``contributions`` (the domain), and the
modules that know DynamoDB's expressions, over ``table_access``: ``learner_store`` and
``history_reads`` (the learner's writes and reads), ``analytics_writes`` and
``analytics_reads`` (course analytics). ``routes``, ``table_keys``, ``analytics_keys``,
``stored_items`` and ``analytics_items`` are the declarations the CDK construct, the local
run, the OpenAPI document and the tests read too.
"""
