"""Runtime code of the stats service's Lambda functions.

Layers, each one hop from a handler: ``handlers`` (HTTP event in, HTTP response out),
``session_rules`` and ``sessions`` (the domain), ``session_store`` (the only module that
knows DynamoDB). ``routes`` and ``table_keys`` are the declarations the CDK construct, the
local run and the OpenAPI document read too.
"""
