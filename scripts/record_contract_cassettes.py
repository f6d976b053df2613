"""Re-record cassettes/contract/ from a real Magento 2.4.7 store.

    MAGENTO_IR_TEST_ADMIN_USER=admin MAGENTO_IR_TEST_ADMIN_PASSWORD=... \\
        python scripts/record_contract_cassettes.py http://127.0.0.1:8080

Runs the contract suite (tests/contract) against the store with MAGENTO_IR_RECORD_CONTRACT=1:
every real-store test writes its exchanges to cassettes/contract/<module>/<test>.json through
`magento_ir.testing.magento_vcr()`, which scrubs tokens, passwords and e-mails outside
example.com before anything is written. The old cassettes are removed first, and the new ones are
scanned with `find_cassette_secrets()` afterwards: the script fails if the suite fails or a
cassette holds a secret. Use a test store seeded by seed.py (see docs/cassettes.md), never
production. Then run `python -m pytest tests/contract --no-cov` to replay them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from magento_ir.testing import find_cassette_secrets  # noqa: E402 - after the path is set
from tests.contract.conftest import recorded_modules  # noqa: E402

CASSETTES = REPO / "cassettes" / "contract"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the test store's base URL, e.g. http://127.0.0.1:8080")
    arguments = parser.parse_args()
    missing = [
        name
        for name in ("MAGENTO_IR_TEST_ADMIN_USER", "MAGENTO_IR_TEST_ADMIN_PASSWORD")
        if not os.environ.get(name)
    ]
    if missing:
        print(f"set {' and '.join(missing)} to the store's admin credentials", file=sys.stderr)
        return 2
    if CASSETTES.exists():
        shutil.rmtree(CASSETTES)
    environment = {
        **os.environ,
        "MAGENTO_IR_TEST_STORE_URL": arguments.url,
        "MAGENTO_IR_RECORD_CONTRACT": "1",
        "MAGENTO_IR_REQUIRE_REAL_STORE": "1",
    }
    command = [
        sys.executable, "-m", "pytest", *recorded_modules(), "-q", "--no-cov",
        "-p", "no:cacheprovider", "-k", "real",
    ]  # fmt: skip
    suite = subprocess.run(command, cwd=REPO, env=environment, check=False)  # noqa: S603
    if suite.returncode != 0:
        print("the contract suite failed against the store: cassettes not kept", file=sys.stderr)
        shutil.rmtree(CASSETTES, ignore_errors=True)
        return suite.returncode
    leaks = {
        str(path.relative_to(REPO)): found
        for path in sorted(CASSETTES.rglob("*.json"))
        if (found := find_cassette_secrets(path.read_text(encoding="utf-8")))
    }
    if leaks:
        for name, found in leaks.items():
            print(f"{name}: {found}", file=sys.stderr)
        return 1
    count = len(list(CASSETTES.rglob("*.json")))
    print(f"recorded {count} cassettes into {CASSETTES.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
