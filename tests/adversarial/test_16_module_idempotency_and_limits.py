"""Issue 9 item 16: the module's idempotency keys and list limits.

A key is reserved in the write's own transaction (a request that dies leaves no reservation
behind), each caller has its own key space, and list sizes are checked before the list is
processed: a body too large for any route is refused (413) before Magento decodes it.
"""

from __future__ import annotations

import secrets
import subprocess
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any

import pytest

from magento_ir import AdminCredentials, BadRequestError, MagentoClient
from magento_ir.sandbox import Sandbox
from tests.adversarial._store_db import StoreDatabase

if TYPE_CHECKING:
    import httpx

    from magento_ir.testing import MagentoStore

BASE = "/rest/V1/incident-response"


def _admin_token(store: MagentoStore, http: httpx.Client) -> str:
    answer = http.post(
        "/rest/V1/integration/admin/token",
        json={"username": store.admin_user, "password": store.admin_password},
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()
    return token


def _wait_until_authorized(store: MagentoStore, username: str, password: str) -> None:
    """Wait until a new admin's fresh token passes the module's ACL. Magento refuses a token issued
    in the same second as a revocation (admin:user:create's save writes one), and its answer is the
    same 401 as an ACL refusal, so a fast machine can see a refusal the test is not about."""
    http = store.http()
    answers: list[int] = []
    for _ in range(10):
        token = http.post(
            "/rest/V1/integration/admin/token", json={"username": username, "password": password}
        )
        assert token.status_code == 200, token.text
        read = http.get(f"{BASE}/capabilities", headers={"Authorization": f"Bearer {token.json()}"})
        answers.append(read.status_code)
        if read.status_code == 200:
            return
        time.sleep(1)
    pytest.fail(f"the new admin {username} is never authorized: answers {answers}")


@pytest.mark.magento_sandbox(with_module=True)
def test_a_list_over_its_limit_is_refused_even_when_duplicates_shrink_it(
    magento_store: MagentoStore,
) -> None:
    """100,001 copies of one id: counted as given (refused), not after de-duplication."""
    api = magento_store.client().incident_response
    with pytest.raises(BadRequestError) as refused:
        api.force_password_reset(customer_ids=[999_999_999] * 100_001, reason="item 16")
    assert refused.value.parameters == {
        "value": "100001 ids (at most 100000)",
        "fieldName": "customerIds",
    }


@pytest.mark.magento_sandbox(with_module=True)
@pytest.mark.parametrize(
    ("body", "message"),
    [
        # 250,000 one-digit ids: 500 kB, but 250,001 values (commas + 1) to decode.
        (
            '{"reason":"item 16","customerIds":[' + ",".join(["1"] * 250_000) + "]}",
            (
                "The request body holds up to 250001 values; the incident-response routes "
                "accept at most 250000. Split the lists over several calls."
            ),
        ),
        # Padding past 4 MiB: refused for its size alone.
        (
            '{"reason":"item 16","customerIds":[999999999]' + " " * 4_194_304 + "}",
            (
                "The request body is {size} bytes; the incident-response routes accept at most "
                "4194304. Split the lists over several calls."
            ),
        ),
    ],
    ids=["values", "bytes"],
)
def test_an_oversized_body_is_refused_before_it_is_decoded(
    magento_store: MagentoStore, body: str, message: str
) -> None:
    """413 with the limit named, before any list is built (and nothing is logged)."""
    http = magento_store.http()
    token = _admin_token(magento_store, http)
    client = magento_store.client()
    head = client.incident_response.action_log_head()
    answer = http.post(
        f"{BASE}/customers/force-password-reset",
        content=body.encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 413, answer.text
    assert answer.json()["message"] == message.format(size=len(body.encode()))
    assert client.incident_response.action_log_head() == head


def test_each_caller_has_its_own_key_space() -> None:
    """Another admin sending the same key gets its own result, never the first caller's."""
    store = Sandbox(with_module=True, customers=2, orders=1)
    with store.lock:  # a second responder, allowed everything too
        catalog = store.state.admin_by_username("catalog")
        assert catalog is not None
        store.state.admin_roles[catalog.role_id].resources = frozenset({"Magento_Backend::all"})
    key = f"shared-{uuid.uuid4().hex}"

    def client(username: str) -> MagentoClient:
        return MagentoClient(
            "http://sandbox.magento.test",
            auth=AdminCredentials(username, "Sandbox123!"),
            transport=store.transport(),
        )

    with client("admin") as first, client("catalog") as second:
        mine = first.incident_response.set_maintenance(
            "storefront", reason="r", idempotency_key=key
        )
        theirs = second.incident_response.set_maintenance(
            "storefront", reason="r", idempotency_key=key
        )
        again = first.incident_response.set_maintenance(
            "storefront", reason="r", idempotency_key=key
        )
    assert (mine.replayed, theirs.replayed, again.replayed) == (False, False, True)
    assert theirs.action_id != mine.action_id
    assert again.action_id == mine.action_id


@pytest.mark.real_store
def test_two_admins_of_a_real_store_never_share_a_keys_answer(magento_store: MagentoStore) -> None:
    """A second admin (made with bin/magento, removed after) sends the first admin's key: it runs
    its own request instead of receiving the first admin's stored answer."""
    root = magento_store.magento_root
    if root is None:
        pytest.fail("set MAGENTO_IR_TEST_MAGENTO_ROOT: this test adds an admin with bin/magento")
    database = StoreDatabase(root)
    username = f"irkeys{secrets.token_hex(4)}"
    password = f"Ir{secrets.token_hex(8)}9x"
    subprocess.run(  # noqa: S603 - the store's own CLI
        [  # noqa: S607 - php from PATH, as up.sh runs it
            "php", "bin/magento", "admin:user:create", f"--admin-user={username}",
            f"--admin-password={password}", f"--admin-email={username}@example.com",
            "--admin-firstname=Item", "--admin-lastname=Sixteen",
        ],
        cwd=root, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    # admin:user:create leaves Magento's cached ACL without the new user's role (a 401 otherwise).
    subprocess.run(
        ["php", "bin/magento", "cache:clean", "config"],  # noqa: S607 - as above
        cwd=root, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    _wait_until_authorized(magento_store, username, password)
    key = f"item16-shared-{uuid.uuid4().hex}"
    body: dict[str, Any] = {"methods": ["magentoirnotamethod"], "idempotency_key": key}
    try:
        mine = magento_store.client().incident_response.resume_payments(reason="mine", **body)
        with MagentoClient(
            magento_store.base_url, auth=AdminCredentials(username, password), max_retries=0
        ) as other:
            theirs = other.incident_response.resume_payments(reason="mine", **body)
    finally:
        roles = (
            "DELETE FROM authorization_role WHERE user_type = 2 AND user_id IN "
            "(SELECT user_id FROM admin_user WHERE username = ?)"
        )
        database.run((roles, [username]), ("DELETE FROM admin_user WHERE username = ?", [username]))
    assert (mine.replayed, theirs.replayed) == (False, False)
    assert theirs.action_id != mine.action_id


# --- the real store: a request that dies leaves its key free ----------------------------------
@pytest.mark.real_store
def test_a_request_whose_connection_dies_leaves_its_key_free(magento_store: MagentoStore) -> None:
    """Kill the database connection of a write blocked before its commit (what a PHP fatal error
    does to its transaction): its key was never visible to others, and a retry with the same key
    runs at once instead of being refused for 30 minutes."""
    if magento_store.magento_root is None:
        pytest.fail("set MAGENTO_IR_TEST_MAGENTO_ROOT: this test reaches the store's database")
    database = StoreDatabase(magento_store.magento_root)
    http = magento_store.http(timeout=120.0)
    token = _admin_token(magento_store, http)
    key = f"item16-{uuid.uuid4().hex}"
    headers = {"Authorization": f"Bearer {token}", "X-Idempotency-Key": key}
    # Nothing is suspended under this code: the write changes nothing but the action log.
    body = {"reason": "item 16: dies before its commit", "methods": ["magentoirnotamethod"]}
    answers: list[Any] = []
    holder = database.hold_and_kill()
    try:
        writer = threading.Thread(
            target=lambda: answers.append(
                http.post(f"{BASE}/payments/resume", json=body, headers=headers)
            )
        )
        writer.start()
        assert holder.stdin is not None
        assert holder.stdout is not None
        holder.stdin.write(f"go {key}\n")
        holder.stdin.flush()
        visible = holder.stdout.readline().split()
        killed = holder.stdout.readline().split()
        writer.join(120)
    finally:
        holder.kill()
        holder.communicate()  # reaps it and closes its pipes
    assert killed[0] == "killed"
    assert killed[1] != "0", "the write never blocked on the action log"
    assert visible == ["visible", "0"], "the key was committed before the write was"
    assert answers
    assert answers[0].status_code >= 500, answers[0].text
    retry = http.post(f"{BASE}/payments/resume", json=body, headers=headers)
    assert retry.status_code == 200, retry.text
    assert retry.json()["replayed"] is False
    # The log never calls the dead request a success (Magento reconnects outside the transaction
    # and would have written it); its failure is logged when the adapter still can.
    logged = database.run(
        (
            "SELECT status FROM magento_ir_action_log WHERE idempotency_key = ? ORDER BY action_id",
            [key],
        )
    )[0]
    statuses = [row["status"] for row in logged]
    assert statuses[-1] == "succeeded"
    assert statuses.count("succeeded") == 1, statuses
