"""The one way every command resolves the store, its credentials, the journal and its key.

Flags of the root command > `MAGENTO_IR_*` environment variables > the profile file. A
sub-app run on its own (tests invoke `evidence_app` directly) resolves env and profile alone.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from magento_ir._exceptions import ConfigurationError, MagentoIRError
from magento_ir._files import JOURNAL_KEY_NAME
from magento_ir.cli._app import GlobalOptions
from magento_ir.cli._config import ENV_PREFIX, StoreSettings, default_profiles_path
from magento_ir.cli._errors import errors
from magento_ir.cli._paths import readable_file, writable_file

if TYPE_CHECKING:
    from magento_ir._sync import MagentoClient
    from magento_ir.containment.incident import Incident

__all__ = [
    "DEFAULT_JOURNAL",
    "KEY_NAME",
    "JournalOption",
    "KeyOption",
    "YesOption",
    "client_for",
    "existing_key",
    "global_options",
    "open_incident",
    "settings",
    "signing_key",
    "store",
]

# `contain` writes here and every other command (evidence too) reads it: one timeline.
DEFAULT_JOURNAL = Path("incident-journal.log")
KEY_NAME = JOURNAL_KEY_NAME

JournalOption = Annotated[
    Path,
    typer.Option(envvar=f"{ENV_PREFIX}JOURNAL", help="The incident's journal file."),
]
KeyOption = Annotated[
    Path | None,
    typer.Option(
        envvar=f"{ENV_PREFIX}KEY_FILE",
        help="Ed25519 key signing the journal (default ~/.config/magento-ir/journal.key).",
    ),
]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before writing.")]


def global_options(ctx: typer.Context) -> GlobalOptions:
    """The root command's options, or the defaults when a sub-app runs on its own."""
    root = ctx.find_root().obj
    return root if isinstance(root, GlobalOptions) else GlobalOptions(StoreSettings())


def settings(ctx: typer.Context) -> StoreSettings:
    options = global_options(ctx)
    resolved = options.resolve()
    if not _needs_password(resolved) or not _can_prompt():
        return resolved
    if options.prompted_password is None:
        options.prompted_password = typer.prompt(
            f"Password for {resolved.username} on {resolved.base_url}", hide_input=True, err=True
        )
    return dataclasses.replace(resolved, password=options.prompted_password)


def _needs_password(resolved: StoreSettings) -> bool:
    """A store and a user name, and nothing else to sign in with."""
    other = (resolved.token, resolved.consumer_key, resolved.consumer_secret)
    return bool(resolved.base_url and resolved.username and not resolved.password) and not any(
        other
    )


def _can_prompt() -> bool:
    """A terminal to ask on: scripts get the usual "no password" error instead of a hang."""
    return sys.stdin.isatty()


def store(ctx: typer.Context) -> Any:  # noqa: ANN401 - StoreConnection, imported lazily
    from magento_ir.containment._context import StoreConnection  # noqa: PLC0415

    resolved = settings(ctx)
    options = global_options(ctx)
    connection = StoreConnection(
        base_url=resolved.require_base_url(),
        auth=resolved.auth(),
        storefront_url=resolved.storefront_url,
        canary_customer=resolved.canary(),
        canary_admin=resolved.canary_admin_credentials(),
        timeout=options.timeout,
        allow_insecure_http=options.allow_insecure_http,
    )
    # Before any journal is written: a refused connection must leave nothing behind.
    connection.check_plaintext_credentials()
    return connection


def client_for(resolved: StoreSettings, options: GlobalOptions) -> MagentoClient:
    """A sync client for the resolved store, with the global network options."""
    from magento_ir._sync import MagentoClient  # noqa: PLC0415

    return MagentoClient(
        resolved.require_base_url(),
        auth=resolved.auth(),
        timeout=options.timeout,
        allow_insecure_http=options.allow_insecure_http,
    )


def signing_key(path: Path | None) -> Any:  # noqa: ANN401 - SigningKey, imported lazily
    from magento_ir.evidence import SigningKey  # noqa: PLC0415

    key_path = path or default_profiles_path(os.environ).with_name("journal.key")
    if path is None and not key_path.exists():
        key_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = SigningKey.generate(KEY_NAME)
        key.save(key_path)
        errors.print(f"Created the journal signing key {key_path} (mode 0600). Keep it safe.")
        return key
    try:
        return SigningKey.load(key_path, KEY_NAME)
    except MagentoIRError as error:
        raise ConfigurationError(str(error)) from None


def existing_key(path: Path | None) -> Any:  # noqa: ANN401 - SigningKey | None, lazily
    """The journal key for a read-only command: loaded if it exists, never created."""
    key_path = path or default_profiles_path(os.environ).with_name("journal.key")
    if path is None and not key_path.exists():
        return None
    return signing_key(key_path)


def open_incident(
    ctx: typer.Context,
    journal: Path,
    key: Path | None,
    *,
    title: str | None = None,
    incident_id: str | None = None,
    must_exist: bool = False,
    read_only: bool = False,
) -> Incident:
    from magento_ir.containment.incident import Incident  # noqa: PLC0415

    if must_exist and not journal.exists():
        raise ConfigurationError(
            f"no incident journal at {journal}: pass --journal with the file `contain` wrote"
        )
    (readable_file if read_only else writable_file)(journal, "--journal")
    connection = store(ctx)
    return Incident.open(
        journal,
        key=existing_key(key) if read_only else signing_key(key),
        store=connection,
        title=title,
        incident_id=incident_id,
        read_only=read_only,
    )
