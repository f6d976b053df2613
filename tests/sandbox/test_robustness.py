"""Bad input is answered as Magento answers it: never a Python traceback, never a crash."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from magento_ir.sandbox import Sandbox, SandboxRequest

SANDBOX = Sandbox()
TOKEN = SANDBOX.admin_token()
PATHS = st.sampled_from(
    [
        "/rest/V1/products",
        "/rest/V1/products/IR-SKU-001",
        "/rest/all/V1/products/IR-SKU-001",
        "/rest/V1/customers/search",
        "/rest/V1/customers/3",
        "/rest/V1/orders/1/comments",
        "/rest/V1/cmsBlock/1",
        "/rest/default/async/bulk/V1/products/bySku",
        "/rest/V1/integration/admin/token",
        "/rest/V1/bulk/x/status",
    ]
)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def _check(request: SandboxRequest) -> None:
    response = SANDBOX.handle(request)
    body = response.body.decode("utf-8", "replace")
    assert "Traceback" not in body
    assert 'File "' not in body
    if response.status >= 500 and response.status != 503:
        assert json.loads(body)["message"].startswith("Internal Error.")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
    path=PATHS | st.text(max_size=30).map(lambda text: "/rest/V1/" + text),
    query=st.text(max_size=40),
    body=st.binary(max_size=40) | JSONISH.map(lambda value: json.dumps(value).encode()),
    content_type=st.sampled_from(
        ["application/json", "", "text/xml", "application/json; charset=x"]
    ),
)
def test_random_requests_never_leak_a_traceback(
    method: str, path: str, query: str, body: bytes, content_type: str
) -> None:
    """Arbitrary verbs, paths, query strings and bodies get Magento-shaped answers only."""
    headers = {"authorization": f"Bearer {TOKEN}"}
    if content_type:
        headers["content-type"] = content_type
    _check(SandboxRequest(method, path, query, headers, body))


@settings(max_examples=60, deadline=None)
@given(criteria=st.dictionaries(st.text(max_size=40), st.text(max_size=10), max_size=5))
def test_random_search_criteria_never_leak_a_traceback(criteria: dict[str, str]) -> None:
    """Garbage searchCriteria keys and values give 200 or a typed 400, never a traceback."""
    query = urlencode({f"searchCriteria{key}": value for key, value in criteria.items()})
    _check(SandboxRequest("GET", "/rest/V1/products", query, {"authorization": f"Bearer {TOKEN}"}))
