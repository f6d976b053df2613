"""Done means: the canary logins survive a cut-off answer. The store issues the token (or
refuses the password) and the answer is lost on the way back: the login is asked again, as the
client's own login is, instead of leaving a check unproven or failing the step."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING

import httpx
import pytest

from magento_ir.containment import ForcePasswordReset, Incident, LockdownAdmins
from magento_ir.evidence import SigningKey, verify
from magento_ir.sandbox.transport import SandboxTransport
from tests.containment.conftest import CANARY_ADMIN, make_store

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.sandbox import Sandbox

_TOKEN_ROUTES = ("/V1/integration/admin/token", "/V1/integration/customer/token")


class _LoseFirstAnswers(SandboxTransport):
    """Lets the store answer every canary login, then loses every other answer on the way back:
    each login's first answer is lost and its second one arrives."""

    def __init__(self, sandbox: Sandbox, username: str) -> None:
        super().__init__(sandbox)
        self.username = username
        self.logins = 0
        self.lost = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if not self._canary_login(request):
            return response
        self.logins += 1
        if self.logins % 2:
            self.lost += 1
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body", request=request
            )
        return response

    def _canary_login(self, request: httpx.Request) -> bool:
        if request.method != "POST" or not request.url.path.endswith(_TOKEN_ROUTES):
            return False
        return bool(json.loads(request.content)["username"] == self.username)


pytestmark = pytest.mark.usefixtures("no_waits")


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.generate("adversarial-20")


def test_canary_admin_login_survives_a_cut_off_answer(key: SigningKey, tmp_path: Path) -> None:
    """Lockdown and its rollback: every canary admin login loses its first answer, every check
    is still proven (not "not checked", not an error), and the canary is not throttled."""
    store = make_store(with_module=True)
    transport = _LoseFirstAnswers(store.sandbox, CANARY_ADMIN)
    connection = replace(store.connection, transport=transport)
    journal = tmp_path / "incident.jsonl"
    with Incident.open(journal, key=key, store=connection, title="cut-off canary") as incident:
        run = incident.run([LockdownAdmins(mode="deactivate")])
        rolled = incident.rollback()
    [step] = run.steps
    assert step.status == "verified", (step.error, step.verification)
    assert step.verification is not None
    checks = {check.name: check.passed for check in step.verification.checks}
    assert checks["an admin token issued before is refused"] is True, step.verification
    assert checks["a locked-out admin cannot sign in"] is True, step.verification
    [back] = rolled.steps
    assert back.status == "rolled_back", back.error
    assert back.verification is not None
    assert [check.passed for check in back.verification.checks] == [True], back.verification
    # Issue before the write, refused after it, accepted after the rollback: each lost once.
    assert transport.lost == 3
    assert store.admin_active(CANARY_ADMIN)
    assert verify(journal, key.verifier()).ok


def test_canary_customer_login_survives_a_cut_off_answer(key: SigningKey, tmp_path: Path) -> None:
    """Password reset: the canary customer's token request before the write and the old
    password's refusal after it each lose their first answer; both are still proven."""
    store = make_store(with_module=True)
    transport = _LoseFirstAnswers(store.sandbox, store.customer_email)
    connection = replace(store.connection, transport=transport)
    journal = tmp_path / "incident.jsonl"
    with Incident.open(journal, key=key, store=connection, title="cut-off canary") as incident:
        run = incident.run([ForcePasswordReset([store.customer_id])])
    [step] = run.steps
    assert step.status == "verified", (step.error, step.verification)
    assert step.verification is not None
    checks = {check.name: check.passed for check in step.verification.checks}
    assert checks["the old password is refused"] is True, step.verification
    assert checks["a token issued before is refused"] is True, step.verification
    assert transport.lost == 2
