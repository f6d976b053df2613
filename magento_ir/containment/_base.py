"""The Action base class and what every action shares: constants, canaries, probes."""

from __future__ import annotations

import json
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import StrictBool, StrictInt, StrictStr, TypeAdapter, ValidationError

from magento_ir._core.search_criteria import SearchCriteria
from magento_ir._exceptions import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    InvalidArgumentError,
    MagentoIRError,
    NotFoundError,
    RateLimitError,
    UnexpectedResponseError,
)
from magento_ir.containment._model import Check, Outcome, Plan, Verification
from magento_ir.models import Product, ProductStatus

if TYPE_CHECKING:
    from magento_ir._async import AsyncMagentoClient
    from magento_ir._exceptions import JSONValue
    from magento_ir._http import Response
    from magento_ir.auth import Auth, TokenLogin
    from magento_ir.containment._context import Context
    from magento_ir.models.incident_response import ActionRecord

_MODULE_RETRIES = "module write with X-Idempotency-Key: retried safely (the module replays it)"
_HTTP_NOT_FOUND = 404
_HTTP_UNAVAILABLE = 503
_HTTP_OK = 200
_HTTP_BAD_REQUEST = 400
_HTTP_SERVER_ERROR = 500
# GraphQL's largest page (graphql/validation/*, magento-api.md §5): one query per 300 SKUs.
_GRAPHQL_BATCH = 300
# Magento refuses storefront POSTs without the session's form key (CSRF token) from the page.
# Real Magento writes `name="form_key" type="hidden" value=...`: attributes may come between.
_FORM_KEY = re.compile(r'name="form_key"[^>]*?\svalue="([^"]+)"')
_LIST_BATCH = 100
# A canary login with the right password issues a token and stores nothing that matters (a JWT;
# Magento's token throttle resets), so a lost answer is asked again like a read. A refused try
# may count toward Magento's token throttle (6 failures in 30 minutes lock the name; customers
# also lock after 10; a deactivated admin's right password is not counted): a check that expects
# a refusal tries 3 times at most, then says it could not tell.
_REFUSAL_RETRIES = 2
_PRODUCTS_QUERY = (
    "query($skus: [String]) { products(filter: {sku: {in: $skus}}, pageSize: 300) "
    "{ total_count items { sku url_key } } }"
)


class Action(ABC):
    """One containment action. Parameters are plain JSON values (they go into the journal)."""

    kind: ClassVar[str]
    # Why the change cannot be undone (revoked tokens stay revoked...), or None: a rollback of
    # such a step is reported `not_reversible` and `rollback()` is never called.
    irreversible: ClassVar[str | None] = None
    # The step closes the storefront or checkout to shoppers: earlier steps' outside checks,
    # which look as a shopper, must have run before it (Incident.arun).
    closes_storefront: ClassVar[bool] = False

    @abstractmethod
    def params(self) -> dict[str, Any]:
        """The action's parameters as JSON (no secrets): its identity in the journal."""

    @abstractmethod
    async def plan(self, ctx: Context) -> Plan:
        """Read what is there and say what would change; writes nothing."""

    @abstractmethod
    async def apply(self, ctx: Context, plan: Plan) -> Outcome:
        """Make the change planned (also completes a run that was interrupted mid-way)."""

    @abstractmethod
    async def verify(self, ctx: Context, outcome: Outcome) -> Verification:
        """Observe from outside (storefront, GraphQL, a token's answer) that it took effect."""

    async def rollback(self, ctx: Context, outcome: Outcome) -> Outcome:  # noqa: ARG002
        """Put back what `apply` changed, from the prior state recorded in `outcome`."""
        raise InvalidArgumentError(f"{self.kind} cannot be rolled back: {self.irreversible}")

    def rollback_note(self, outcome: Outcome) -> str | None:  # noqa: ARG002 - for overrides
        """What a rollback of `outcome` brings back that the responder must know about (e.g.
        which credentials work again), or None."""
        return None

    async def conflicts(
        self,
        ctx: Context,  # noqa: ARG002 - the actions that can tell override this
        outcome: Outcome,  # noqa: ARG002
    ) -> str | None:
        """Why rolling back `outcome` now would undo a later change by another incident, read
        from the store's current state; None when nothing says so."""
        return None

    async def verify_rollback(
        self,
        ctx: Context,  # noqa: ARG002 - the actions that can be observed override this
        outcome: Outcome,  # noqa: ARG002
        rollback: Outcome,  # noqa: ARG002
    ) -> Verification:
        """Observe from outside that the rollback took effect (where there is anything to see)."""
        return Verification(
            self.kind,
            (Check("rolled back", passed=None, detail="nothing to observe from outside"),),
        )

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={value!r}" for name, value in self.params().items())
        return f"{type(self).__name__}({args})"


# --- shared helpers ------------------------------------------------------------------------


# Lists are validated strictly: a string is never a list (it would be one entity per
# character), an id is never a bool or a float.
_STRING_LIST: TypeAdapter[Sequence[str]] = TypeAdapter(Sequence[StrictStr])
_ID_LIST: TypeAdapter[Sequence[int]] = TypeAdapter(Sequence[StrictInt])
_FLAG: TypeAdapter[bool] = TypeAdapter(StrictBool)


def _list_of(
    adapter: TypeAdapter[Sequence[Any]], value: object, name: str, what: str, example: str
) -> list[Any]:
    """`value` as a list checked by `adapter`, or InvalidArgumentError naming the parameter
    and showing the right form (`skus=["IR-SKU-001"]`)."""
    if isinstance(value, str | bytes):
        shown = json.dumps(value if isinstance(value, str) else value.decode(errors="replace"))
        raise InvalidArgumentError(
            f"{name} must be {what}, not the single string {shown}: write {name}=[{shown}] "
            f"(e.g. {name}={example}); a string would be taken one character at a time"
        )
    try:
        return list(adapter.validate_python(value))
    except ValidationError as error:
        problem = error.errors()[0]
        where = "".join(f"[{part}]" for part in problem["loc"])
        raise InvalidArgumentError(
            f"{name} must be {what}, e.g. {name}={example}; {name}{where}: {problem['msg']} "
            f"(got {value!r})"
        ) from None


def _strings(value: object, name: str, example: str) -> list[str]:
    return _list_of(_STRING_LIST, value, name, "a list of strings", example)


def _flag(value: object, name: str) -> bool:
    try:
        return _FLAG.validate_python(value)
    except ValidationError:
        raise InvalidArgumentError(
            f"{name} must be true or false (a boolean), not {value!r}"
        ) from None


def _ids(values: Sequence[int] | None, name: str) -> list[int] | None:
    if values is None:
        return None
    ids = _list_of(_ID_LIST, values, name, "a list of positive integer ids", "[3, 7]")
    if any(value < 1 for value in ids):
        raise InvalidArgumentError(f"{name} must be a list of positive integer ids, got {ids!r}")
    return ids


def _ambiguous(error: MagentoIRError) -> bool:
    """No answer, or an answer that says nothing about whether the write happened."""
    if isinstance(error, (APIConnectionError, UnexpectedResponseError, RateLimitError)):
        return True
    return isinstance(error, APIStatusError) and error.status_code >= _HTTP_SERVER_ERROR


async def _responder_still_in(ctx: Context) -> Check:
    """The responder's own credentials still work (design rule: never lock the responder out)."""
    try:
        if ctx.module is not None:
            await ctx.client.incident_response.capabilities()
        else:
            await ctx.client.store.websites()
    except AuthenticationError as error:
        return Check("responder keeps API access", passed=False, detail=str(error))
    return Check("responder keeps API access", passed=True, detail="REST answered the responder")


async def _issue_canary(ctx: Context) -> None:
    """Log the canary customer in (token + storefront session) before the write, if configured."""
    credentials = ctx.connection.canary_customer
    if credentials is None or ctx.canary.customer_token is not None:
        return
    if ctx.resumed:
        ctx.canary.note = "the run resumed after an interruption: no canary was issued before it"
        return
    _, login = credentials.login_request(0.0)
    try:
        # The token and the storefront's login form are independent: asked at once.
        token, form = await ctx.together(
            lambda: _login(ctx, credentials),
            lambda: ctx.page("/customer/account/login/", accept=_open_or_closed),
        )
        if not isinstance(token, str):
            ctx.canary.note = "the canary's token route did not answer a token"
            return
        ctx.canary.customer_token = token
        if form.status_code != _HTTP_OK:
            ctx.canary.note = f"the storefront is closed (login page answered {form.status_code})"
            return
        fields = {"login[username]": login["username"], "login[password]": login["password"]}
        form_key = _FORM_KEY.search(form.text)
        if form_key is not None:
            fields["form_key"] = form_key.group(1)
        response = await ctx.page(
            "/customer/account/loginPost/",
            method="POST",
            data=fields,
            accept=lambda answer: answer.status_code < _HTTP_SERVER_ERROR,
        )
        logged_in = response.status_code < _HTTP_BAD_REQUEST and await _storefront_logged_in(ctx)
    except MagentoIRError as error:
        # The canary only serves the proof; containment goes on without it.
        ctx.canary.note = f"the canary could not log in before the write ({_reason(error)})"
        return
    ctx.canary.storefront_session = logged_in


async def _issue_admin_canary(ctx: Context) -> None:
    """Log the canary admin in before the write and check its token works, if configured."""
    credentials = ctx.connection.canary_admin
    if credentials is None or ctx.canary.admin_token is not None:
        return
    if ctx.resumed:
        ctx.canary.admin_note = "the run resumed after an interruption: no canary was issued"
        return
    try:
        token = await _login(ctx, credentials)
        if not isinstance(token, str) or not await _admin_token_works(ctx, token):
            ctx.canary.admin_note = (
                "the canary admin's fresh token could not read GET /V1/modules: give its role "
                "Magento_Backend::admin"
            )
            return
    except MagentoIRError as error:
        ctx.canary.admin_note = f"the canary admin could not log in ({_reason(error)})"
        return
    ctx.canary.admin_token = token


async def _login(
    ctx: Context, credentials: TokenLogin, *, refusal_expected: bool = False
) -> JSONValue:
    """POST a canary's login, without the responder's credentials; a lost answer is asked again
    (a refused one is not: 401 is final)."""
    path, body = credentials.login_request(time.time())
    retries = _REFUSAL_RETRIES if refusal_expected else ctx.connection.max_retries
    async with _probe_client(ctx, None, retries) as anonymous:
        return await anonymous.request("POST", path, json=dict(body), idempotent=True)


async def _login_refused(ctx: Context, credentials: TokenLogin) -> bool | None:
    """Whether the token route refuses `credentials` now (expected after the write); None when
    its answer was lost every time."""
    try:
        await _login(ctx, credentials, refusal_expected=True)
    except AuthenticationError:
        return True
    except APIConnectionError:
        return None
    return False


async def _admin_can_sign_in(ctx: Context) -> bool:
    """Whether the canary admin gets a token now (expected after a rollback)."""
    credentials = ctx.connection.canary_admin
    if credentials is None:  # pragma: no cover - callers check first
        return False
    try:
        await _login(ctx, credentials)
    except AuthenticationError:
        return False
    return True


async def _admin_token_works(ctx: Context, token: str) -> bool:
    async with _bearer_client(ctx, token) as probe:
        try:
            await probe.modules.list()
        except AuthenticationError:
            return False
    return True


def _bearer_client(ctx: Context, token: str) -> AsyncMagentoClient:
    from magento_ir.auth import BearerToken  # noqa: PLC0415 - avoid a cycle at import

    return _probe_client(ctx, BearerToken(token), ctx.connection.max_retries)


def _probe_client(ctx: Context, auth: Auth | None, max_retries: int) -> AsyncMagentoClient:
    """A client of its own for a canary: its credentials, never the responder's."""
    from magento_ir._async import AsyncMagentoClient  # noqa: PLC0415 - avoid a cycle at import

    return AsyncMagentoClient(
        ctx.connection.base_url,
        auth=auth,
        transport=ctx.connection.transport,
        timeout=ctx.connection.timeout,
        max_retries=max_retries,
        allow_insecure_http=ctx.connection.allow_insecure_http,
    )


async def _admin_canary_checks(ctx: Context) -> list[Check]:
    """The canary admin's token issued before the write is refused now."""
    name = "an admin token issued before is refused"
    if ctx.connection.canary_admin is None:
        reason = "no canary admin configured (StoreConnection(canary_admin=...))"
        return [Check(name, passed=None, detail=reason)]
    if ctx.canary.admin_token is None:
        reason = ctx.canary.admin_note or "no canary admin token was issued before the write"
        return [Check(name, passed=None, detail=reason)]
    works = await _admin_token_works(ctx, ctx.canary.admin_token)
    return [Check(name, passed=not works, detail=f"GET /V1/modules: {200 if works else 401}")]


async def _storefront_logged_in(ctx: Context) -> bool:
    response = await ctx.page(
        "/customer/account/", accept=lambda answer: answer.status_code < _HTTP_SERVER_ERROR
    )
    return response.status_code == _HTTP_OK


async def _canary_checks(ctx: Context, *, session: bool = True) -> list[Check]:
    """The canary's pre-write token is refused and (with `session`) its storefront session is
    logged out."""
    if ctx.connection.canary_customer is None:
        reason = "no canary customer configured (StoreConnection(canary_customer=...))"
        return [Check("a token issued before is refused", passed=None, detail=reason)]
    if ctx.canary.customer_token is None:
        reason = ctx.canary.note or "no canary token was issued before the write"
        return [Check("a token issued before is refused", passed=None, detail=reason)]
    async with _bearer_client(ctx, ctx.canary.customer_token) as probe:
        try:
            await probe.customers.me()
        except AuthenticationError:
            token = Check(
                "a token issued before is refused", passed=True, detail="GET /V1/customers/me: 401"
            )
        else:
            token = Check(
                "a token issued before is refused", passed=False, detail="GET /V1/customers/me: 200"
            )
    checks = [token]
    if not session:
        return checks
    if not ctx.canary.storefront_session:
        checks.append(
            Check(
                "a storefront session is logged out",
                passed=None,
                detail="the storefront login of the canary did not give a session to observe",
            )
        )
    else:
        still_in = await _storefront_logged_in(ctx)
        checks.append(
            Check(
                "a storefront session is logged out",
                passed=not still_in,
                detail="GET /customer/account with the session cookie: "
                + ("still logged in" if still_in else "logged out"),
            )
        )
    return checks


def _graphql_skus(data: Any) -> dict[str, str | None]:  # noqa: ANN401 - GraphQL `data`
    items = (data or {}).get("products", {}).get("items") or []
    return {item["sku"]: item.get("url_key") for item in items if isinstance(item, dict)}


def _sku_batches(skus: Sequence[str]) -> list[list[str]]:
    return [
        list(skus[start : start + _GRAPHQL_BATCH]) for start in range(0, len(skus), _GRAPHQL_BATCH)
    ]


async def _listed_skus(ctx: Context, batch: list[str], store: str | None) -> dict[str, str | None]:
    """The SKUs of one batch (at most 300) that GraphQL lists on a store view, with url_key."""
    data = await ctx.client.graphql.execute(
        _PRODUCTS_QUERY, {"skus": batch}, store=store, idempotent=True
    )
    return _graphql_skus(data)


async def _visible_skus(
    ctx: Context, skus: Sequence[str], store: str | None
) -> dict[str, str | None]:
    """SKUs the storefront's GraphQL lists (sellable on that store view), with their url_key:
    one query per 300 SKUs, `connection.concurrency` at a time."""
    seen: dict[str, str | None] = {}
    for found in await ctx.each(_sku_batches(skus), lambda batch: _listed_skus(ctx, batch, store)):
        seen.update(found)
    return seen


async def _scoped_statuses(
    ctx: Context, code: str, skus: Sequence[str]
) -> dict[str, tuple[int, str | None]]:
    """Status and url_key of each existing SKU as store scope `code` sees it (`all` = default),
    read with list pages of 100 SKUs (`sku in ...`); SKUs with a comma are read one by one."""
    client = ctx.client.with_store(code)
    found: dict[str, tuple[int, str | None]] = {}
    listable = [sku for sku in skus if "," not in sku]
    batches = [
        listable[start : start + _LIST_BATCH] for start in range(0, len(listable), _LIST_BATCH)
    ]

    async def read_batch(batch: list[str]) -> None:
        criteria = SearchCriteria().where("sku", "in", batch).page(len(batch), 1)
        for product in (await client.products.list(criteria)).items:
            found[product.sku] = _status_and_url_key(product)

    async def read_one(sku: str) -> None:
        try:
            found[sku] = _status_and_url_key(await client.products.retrieve(sku))
        except NotFoundError:
            return

    await ctx.each(batches, read_batch)
    await ctx.each([sku for sku in skus if "," in sku], read_one)
    return found


def _status_and_url_key(product: Product) -> tuple[int, str | None]:
    url_key = product.custom_attribute("url_key")
    status = int(product.status) if product.status is not None else int(ProductStatus.ENABLED)
    return status, url_key if isinstance(url_key, str) else None


async def _store_codes(client: AsyncMagentoClient) -> list[str]:
    return [view.code for view in await client.store.views() if view.id != 0]


def _gone_or_closed(answer: Response) -> bool:
    """A product page that is gone (404) or behind the module's maintenance page (503)."""
    return answer.status_code == _HTTP_NOT_FOUND or (
        answer.status_code == _HTTP_UNAVAILABLE and "Retry-After" in answer.headers
    )


# Module writes and the write of the same incident that undoes them.
_UNDONE_BY = {
    "catalog.quarantine": "catalog.release",
    "payments.suspend": "payments.resume",
    "admins.lockdown": "admins.restore",
}
_LOG_PAGE = 100


async def _later_writes(ctx: Context, after: int, names: Sequence[str]) -> list[ActionRecord]:
    """Succeeded module writes named `names` logged after action `after`, oldest first."""
    found: list[ActionRecord] = []
    number = 1
    while True:
        criteria = (
            SearchCriteria()
            .where("action_id", "gt", after)
            .where("action", "in", list(names))
            .where("status", "eq", "succeeded")
            .order_by("action_id", "ASC")
            .page(_LOG_PAGE, number)
        )
        page = await ctx.client.incident_response.actions(criteria)
        found.extend(page.items)
        if not page.items or number * _LOG_PAGE >= page.total_count:
            return found
        number += 1


def _who(record: ActionRecord) -> str:
    if record.incident_id:
        return f"incident {record.incident_id}"
    return f"a change without an incident id (actor {record.actor_type}:{record.actor_id})"


def _touched(record: ActionRecord, field: str | None) -> set[str] | None:
    """What a logged write's request named in `field` (None: everything, e.g. all admins)."""
    if field is None:
        return None
    try:
        value = json.loads(record.request).get(field)
    except (ValueError, AttributeError):
        return None
    return None if value is None else {str(item) for item in value}


async def _other_incident_on_top(
    ctx: Context, outcome: Outcome, action: str, subjects: set[str] | None, field: str | None
) -> str | None:
    """The module's action log, read for a later write of `action` by another incident on the
    same subjects that this incident's rollback would undo (it relied on this step's change:
    "already quarantined", "already inactive"), and that it has not undone itself."""
    after = outcome.data.get("module_action_id")
    if ctx.module is None or not isinstance(after, int):
        return None  # a core-REST step leaves no log on the store to read
    live: dict[str, ActionRecord] = {}
    for record in await _later_writes(ctx, after, [action, _UNDONE_BY[action]]):
        if record.incident_id == ctx.incident_id:
            continue
        touched = _touched(record, field)
        if subjects is not None and touched is not None and not touched & subjects:
            continue
        if record.action == action:
            live[_who(record)] = record
        else:
            live.pop(_who(record), None)
    if not live:
        return None
    who, record = next(iter(live.items()))
    return (
        f"{who} wrote {record.action} on the same {field or 'admins'} after this step (module "
        f"action {record.action_id}, {record.created_at}) and has not undone it: rolling this "
        f"step back now would undo its containment too. Roll back {who} first (or, if its "
        "rollback wrote nothing to the store, check it is over) and then this one, or pass "
        "--force (force=True)"
    )


def _reason(error: MagentoIRError) -> str:
    return f"{type(error).__name__}: {error}"


def _open_or_closed(answer: Response) -> bool:
    """A page that answered, or the module's maintenance page (503 with Retry-After): both are
    final answers, not transient failures to retry."""
    return answer.status_code == _HTTP_OK or (
        answer.status_code == _HTTP_UNAVAILABLE and "Retry-After" in answer.headers
    )
