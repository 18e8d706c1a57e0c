"""Runtime code of the stats service's Lambda functions.

Layers, each one hop from a handler: ``handlers`` (HTTP event in, HTTP response out),
``identifiers``, ``session_body``, ``query_parameters`` and ``sessions`` (the domain),
``session_records`` and ``history_reads`` (the writes and the history reads, the modules
that know DynamoDB's expressions, over ``table_access``). ``routes``, ``table_keys`` and
``stored_items`` are the declarations the CDK construct, the local run, the OpenAPI document
and the tests read too.
"""
