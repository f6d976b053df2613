"""Child process of test_fault_matrix.py: run a playbook against a served sandbox and roll it
back, and SIGKILL itself at a chosen write that changes the store (logins and queries are not
counted), either before it is sent or after the store answered it (the answer is never read).

python -m tests.adversarial._killed_run <base_url> <journal> <key.pem> <playbook> <inputs JSON>
    <canary e-mail> <write number> <before|after>
"""

from __future__ import annotations

import json
import os
import signal
import sys

import httpx

from magento_ir.containment import Incident, load_playbook
from magento_ir.evidence import SigningKey
from tests.adversarial._matrix import changes_store, connection


class _KillAtWrite(httpx.AsyncHTTPTransport):
    def __init__(self, write: int, *, after: bool) -> None:
        super().__init__()
        self.write = write
        self.after = after
        self.writes = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        kill = False
        if changes_store(request.method, request.url.path):
            self.writes += 1
            kill = self.writes == self.write
        if kill and not self.after:
            os.kill(os.getpid(), signal.SIGKILL)
        response = await super().handle_async_request(request)
        if kill:
            os.kill(os.getpid(), signal.SIGKILL)
        return response


def main(  # noqa: PLR0917 - the command line's arguments, in order
    base_url: str,
    journal: str,
    key_path: str,
    playbook: str,
    inputs: str,
    canary_email: str,
    write: str,
    when: str,
) -> int:
    transport = _KillAtWrite(int(write), after=when == "after")
    store = connection(base_url, canary_email, transport)
    key = SigningKey.load(key_path, "fault-matrix")
    with Incident.open(journal, key=key, store=store, title=f"killed {playbook}") as incident:
        incident.run(load_playbook(playbook), json.loads(inputs))
        incident.rollback()
    return 3  # never reached the kill point: the parent reports it


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
