"""The contract suite's exchanges with a real Magento 2.4.7-p3, replayed through both clients.

cassettes/contract/ holds what the real store answered to every real-store contract test
(recorded by scripts/record_contract_cassettes.py through `magento_vcr()`, scrubbed). Here each
recorded request is sent again through `MagentoClient` and `AsyncMagentoClient` with vcrpy
playing the store back: a success must decode to the recorded JSON, an error must raise its
typed exception carrying Magento's message and parameters. No store is needed. (The secret scan
of every file under cassettes/ is tests/test_cassettes.py's.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from magento_ir import (
    APIStatusError,
    AsyncMagentoClient,
    AuthenticationError,
    BadRequestError,
    BearerToken,
    ConfigurationError,
    GraphQLError,
    InvalidArgumentError,
    MagentoClient,
    MagentoIRError,
    NotFoundError,
    ServerError,
)
from magento_ir.testing import REDACTED, MagentoStore, RealStoreConfig, magento_vcr
from tests.client._support import CLIENT_KINDS, call, close
from tests.contract import test_sdk
from tests.contract.conftest import CASSETTES, recorded_modules

pytestmark = pytest.mark.anyio
CASSETTE_FILES = sorted(CASSETTES.rglob("*.json"))
ERRORS = {400: BadRequestError, 401: AuthenticationError, 404: NotFoundError, 500: ServerError}
# Requests the SDK refuses to send by design (verbs Magento cannot route, paths that are no
# REST route): the raw contract tests cover their answers.
UNSENDABLE = (InvalidArgumentError, ConfigurationError)


def _name(path: Any) -> str:
    return str(path.relative_to(CASSETTES).with_suffix(""))


def test_the_contract_cassettes_are_there() -> None:
    """Every core contract module has recorded cassettes (re-record with the script when one is
    added)."""
    recorded = {path.parent.name for path in CASSETTE_FILES}
    modules = {Path(name).stem.removeprefix("test_") for name in recorded_modules()}
    assert recorded == modules


@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize("cassette", CASSETTE_FILES, ids=_name)
async def test_replay_through_the_client(cassette: Any, kind: str) -> None:
    """Each recorded exchange, sent through the SDK, gives the recorded answer or its error."""
    interactions = json.loads(cassette.read_text(encoding="utf-8"))["interactions"]
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(interactions[0]["request"]["uri"]))
    client_class = MagentoClient if kind == "sync" else AsyncMagentoClient
    with magento_vcr(str(CASSETTES), record_mode="none").use_cassette(_name(cassette)):
        # The recorded store is plain HTTP: no TLS context to build (loading one per test is
        # most of this test's time).
        transport = (httpx.HTTPTransport if kind == "sync" else httpx.AsyncHTTPTransport)(
            verify=False
        )
        client = client_class(
            origin, auth=BearerToken("REDACTED"), max_retries=0, transport=transport
        )
        try:
            for interaction in interactions:
                await _replay(client, interaction)
        finally:
            await close(client)


async def _replay(client: Any, interaction: dict[str, Any]) -> None:
    request, response = interaction["request"], interaction["response"]
    status = response["status"]["code"]
    body = json.loads(response["body"]["string"])
    where = f"{request['method']} {request['uri']}"
    graphql = urlsplit(request["uri"]).path == "/graphql"
    outcome = await _send(client, request)
    if isinstance(outcome, GraphQLError):
        assert body["errors"][0]["message"] in str(outcome), where
    elif isinstance(outcome, APIStatusError):
        assert isinstance(outcome, ERRORS[status]), f"{where}: {outcome!r}"
        assert (outcome.status_code, outcome.raw_message) == (status, body["message"]), where
        assert outcome.parameters == body.get("parameters"), where
    elif not isinstance(outcome, UNSENDABLE):
        assert status < 400, f"{where} answered {outcome!r}"
        assert outcome == (body["data"] if graphql else body), where


async def _send(client: Any, request: dict[str, Any]) -> Any:
    """What the client returns for the recorded request, or the error it raises."""
    url = urlsplit(request["uri"])
    sent = _json_or_none(request["body"])
    try:
        if url.path == "/graphql":
            headers = {key.lower(): value for key, value in request["headers"].items()}
            store = headers.get("store", [None])[0]
            return await call(
                client.graphql.execute(sent["query"] or " ", sent.get("variables"), store=store)
            )
        target, path = _scope(client, url.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        return await call(target.request(request["method"], path, params=params, json=sent))
    except MagentoIRError as error:
        return error


def _scope(client: Any, path: str) -> tuple[Any, str]:
    """The client for the URL's store code and the route after it (`/rest/all/V1/x` -> all)."""
    parts = path.removeprefix("/rest/").split("/", 1)
    if parts[0] in ("V1", "async") or len(parts) == 1:
        return client, "/" + path.removeprefix("/rest/")
    return client.with_store(parts[0]), "/" + parts[1]


def _json_or_none(raw: str | None) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize(
    "test",
    [
        test_sdk.test_catalog_and_customers,
        test_sdk.test_sales_cms_store_and_modules,
        test_sdk.test_errors_map_to_their_classes,
        test_sdk.test_writes_and_their_reverse,
        # (test_customer_tokens checks the JWT itself, which a cassette never holds.)
    ],
    ids=lambda test: test.__name__,
)
async def test_sdk_suite_on_recorded_answers(test: Any, kind: str) -> None:
    """The SDK contract tests themselves, run against the real store's recorded answers: every
    model parses what 2.4.7-p3 sent, with the admin login played back too."""
    name = f"sdk/{test.__name__}-{kind}"
    interactions = json.loads((CASSETTES / f"{name}.json").read_text(encoding="utf-8"))
    origin = "{0.scheme}://{0.netloc}".format(
        urlsplit(interactions["interactions"][0]["request"]["uri"])
    )
    store = MagentoStore("real", real=RealStoreConfig(origin, "admin", REDACTED))
    try:
        with magento_vcr(str(CASSETTES), record_mode="none").use_cassette(name):
            await test(store, kind)
    finally:
        store.close()
