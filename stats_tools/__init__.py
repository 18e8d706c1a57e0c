"""Tools beside the service, never in its functions' asset: the operator's erasure command
(``make erase``) and the generators of the OpenAPI document (``make openapi``, also served by
the local run) and of the POST body's validator (``make validator``)."""
