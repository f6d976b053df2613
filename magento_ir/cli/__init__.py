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

import os
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

from typer._completion_classes import completion_init  # typer's completion protocol

# Registration order is the order `magento-ir --help` lists the commands in.
from magento_ir.cli import (
    drill,
    evidence,
    exercise,
    incident,
    notify,
    playbooks,
    procedures,
    watch,
)
from magento_ir.cli._app import PROG_NAME, app
from magento_ir.cli._errors import errors
from magento_ir.cli._output import console

__all__ = ["ExitCode", "app", "main"]

incident.register(app)
playbooks.register(app)
drill.register(app)
evidence.register(app)
notify.register(app)
procedures.register(app)
watch.register(app)
exercise.register(app)


def _mount_sandbox() -> None:
    try:
        from magento_ir.cli import sandbox  # noqa: PLC0415
    except ImportError:
        return  # without the sandbox extra there is no `sandbox` command
    sandbox.register(app)


_mount_sandbox()


def main() -> None:
    """The `magento-ir` console script (also `python -m magento_ir`: the same name in help and
    in what shell completion calls)."""
    completion_init()
    if "--no-color" in sys.argv[1:]:
        # Before parsing, wherever it was typed: typer's help and usage errors (drawn before any
        # option takes effect) read NO_COLOR, and so does every console made later.
        os.environ["NO_COLOR"] = "1"
        console.no_color = errors.no_color = True
    app(prog_name=PROG_NAME)
