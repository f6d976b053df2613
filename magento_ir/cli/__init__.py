"""`magento-ir`: contain, verify, roll back and inspect a breach; drill against the sandbox.

Needs the `cli` extra (typer, rich); the drill and `sandbox` commands need the `sandbox` extra
too. Exit codes are `ExitCode` (docs/cli.md). Secrets are never printed: errors show the
exception's message, which the SDK keeps free of credentials.

One module per command group, all sharing `_app` (the root command and its global options),
`_store` (resolving the store, credentials and journal key), `_output` (tables, confirmation,
exit codes of a run) and `_errors` (errors onto exit codes): a new group is one module here,
imported below.
"""

from __future__ import annotations

import sys

from magento_ir.cli._config import ExitCode

try:
    import rich  # noqa: F401 - checked here so a missing extra gives one line, not a traceback
    import typer  # noqa: F401
except ImportError as missing:  # pragma: no cover - only without the `cli` extra
    sys.stderr.write(
        f"magento-ir needs the cli extra ({missing.name} is missing): "
        'pip install "magento-ir[cli]"\n'
    )
    raise SystemExit(int(ExitCode.USAGE)) from None

# Registration order is the order `magento-ir --help` lists the commands in.
from magento_ir.cli import drill, evidence, incident, notify, playbooks
from magento_ir.cli._app import app

__all__ = ["ExitCode", "app", "main"]

incident.register(app)
playbooks.register(app)
drill.register(app)
evidence.register(app)
notify.register(app)


def _mount_sandbox() -> None:
    try:
        from magento_ir.cli import sandbox  # noqa: PLC0415
    except ImportError:
        return  # without the sandbox extra there is no `sandbox` command
    sandbox.register(app)


_mount_sandbox()


def main() -> None:
    """The `magento-ir` console script."""
    app()
