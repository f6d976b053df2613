"""`/graphql`: Magento 2.4.7's GraphQL endpoint (the engine is in `graphql_engine.py`).

The engine needs graphql-core (the `sandbox` extra). It is loaded on the first GraphQL request,
so the in-process sandbox works without it; without it, `/graphql` says how to install it.
"""

from __future__ import annotations

import importlib
import json
import logging

from magento_ir.sandbox.messages import SandboxResponse
from magento_ir.sandbox.routing import PageCall, RouteTable

__all__ = ["routes"]

routes = RouteTable()
logger = logging.getLogger("magento_ir.sandbox")

MISSING_ENGINE = (
    'The sandbox\'s GraphQL endpoint needs graphql-core: pip install "magento-ir[sandbox]"'
)


@routes.page("POST", "/graphql")
@routes.page("GET", "/graphql")
def graphql_endpoint(call: PageCall) -> SandboxResponse:
    try:
        engine = importlib.import_module("magento_ir.sandbox.graphql_engine")
    except ImportError as error:
        if error.name != "graphql":
            raise
        logger.error("%s", MISSING_ENGINE)  # noqa: TRY400 - the fix, not a traceback, helps
        body = json.dumps({"errors": [{"message": MISSING_ENGINE}]}).encode()
        return SandboxResponse(500, [("Content-Type", "application/json")], body)
    response: SandboxResponse = engine.answer(call)
    return response
