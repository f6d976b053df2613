"""Child process of test_sigkill.py: run the magecart playbook against a served sandbox.

python -m tests.containment._run_magecart <base_url> <journal> <key.pem>
"""

from __future__ import annotations

import sys

from magento_ir import AdminCredentials
from magento_ir.containment import Incident, StoreConnection, load_playbook
from magento_ir.evidence import SigningKey
from tests.containment.conftest import ADMIN_PASSWORD, PLAYBOOK_INPUTS


def main(base_url: str, journal: str, key_path: str) -> int:
    store = StoreConnection(base_url, auth=AdminCredentials("admin", ADMIN_PASSWORD))
    key = SigningKey.load(key_path, "containment-tests")
    with Incident.open(journal, key=key, store=store, title="killed run") as incident:
        report = incident.run(load_playbook("magecart"), PLAYBOOK_INPUTS["magecart"])
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
