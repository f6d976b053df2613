"""The root `magento-ir` command: its global options (store, credentials, network, logging)."""

from __future__ import annotations

import copy
import dataclasses
import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path  # noqa: TC003 - typer reads the annotations at run time
from typing import Annotated, Any

import typer

# Typer's own completion machinery (scripts, install paths, shell detection): it has no public
# name for it, and writing our own would duplicate it.
from typer._completion_shared import _get_shell_name, get_completion_script, install
from typer.core import TyperGroup, TyperOption

from magento_ir._logging import enable_logging
from magento_ir._version import __version__
from magento_ir.cli._config import ExitCode, StoreSettings, resolve_settings
from magento_ir.cli._errors import RESUME_HINT, errors, exit_codes, fail
from magento_ir.cli._output import console, fit_output

__all__ = ["GlobalOptions", "app"]


# What `--help` shows after an option instead of `<list[str]>` or `<bool>` (docs/cli.md).
_PLACEHOLDERS = {
    "--action": "'KIND NAME=VALUE ...'",
    "--input": "NAME=VALUE",
    "--step": "STEP-ID",
    "--only": "CATEGORY",
    "--checkpoints": "FILE",
    "--verifier": "NAME+HASH+KEY",
    "--to": "URL",
    "--since": "TIME|last",
    "--base-url": "URL",
    "--storefront-url": "URL",
    "--store": "URL",
    "--timeout": "SECONDS",
    "--latency": "real|0|FACTOR",
    "--scenario": "NAME",
    "--format": "ecs|ocsf|cef",
    "--profile": "NAME",
    "--canary-email": "EMAIL",
    "--canary-admin": "USER",
    "--username": "USER",
    "--admin-user": "USER",
    "--password": "PASSWORD",
    "--admin-password": "PASSWORD",
    "--token": "TOKEN",
    "--hec-token": "TOKEN",
    "--totp-secret": "BASE32",
    "--report-dir": "DIR",
    "--rules": "DIR",
    "--host": "ADDRESS",
    "--output": "table|json|markdown",
}
_BY_TYPE = {"int": "N", "float": "NUMBER", "str": "TEXT"}


def _human_placeholders(command: Any) -> None:  # noqa: ANN401 - a (vendored) click command
    """Name each option's value as a person would, recursively over the command tree."""
    for param in command.params:
        if not isinstance(param, TyperOption) or param.metavar is not None:
            continue
        if param.is_flag:
            param.metavar = ""
            continue
        if param.type_descriptor.is_choice:
            continue  # typer shows the choices: table|json|markdown
        long_name = next((name for name in param.opts if name.startswith("--")), "")
        bare = param.bare_type().removeprefix("list[").removesuffix("]")
        fallback = "FILE" if param.type_descriptor.is_path else _BY_TYPE.get(bare, "TEXT")
        param.metavar = _PLACEHOLDERS.get(long_name, fallback)
    for sub in getattr(command, "commands", {}).values():
        _human_placeholders(sub)


# Root options a responder may type after the command too (`magento-ir contain --base-url X`):
# the store, its credentials, the network and the display. `--version` stays at the root.
_ANYWHERE = frozenset(
    {
        "base_url", "username", "password", "totp_secret", "token", "consumer_key",
        "storefront_url", "canary_email", "canary_admin", "profile", "profiles_file", "timeout",
        "insecure_http", "verbose", "no_color", "quiet",
    }
)  # fmt: skip
# The name a root option's copy has on a command, apart from the command's own parameters.
_LATE = "late_"


def _given(ctx: Any, name: str) -> bool:  # noqa: ANN401 - a (vendored) click context
    """Typed on the command line (not a default, not an environment variable)."""
    source = ctx.get_parameter_source(name)
    return source is not None and source.name == "COMMANDLINE"


def _late_option(ctx: Any, param: Any, value: Any) -> Any:  # noqa: ANN401 - click's callback
    """A root option typed after the command: the same effect as before it; both ways, one value."""
    root = ctx.find_root()
    if ctx.resilient_parsing or not _given(ctx, param.name) or root.obj is None:
        return value
    name = param.name.removeprefix(_LATE)
    if _given(root, name) and root.params[name] != value:
        # Values are not shown: this may be a password or a token.
        raise typer.BadParameter(
            "given before and after the command with different values: give it once"
        )
    root.params[name] = value
    root.obj.take(name, value)
    return value


def _accept_root_options_anywhere(group: Any) -> None:  # noqa: ANN401 - a (vendored) click group
    """Give every command below the root a hidden copy of each of `_ANYWHERE`'s root options."""
    anywhere = [param for param in group.params if param.name in _ANYWHERE]

    def add(command: Any) -> None:  # noqa: ANN401 - a (vendored) click command
        taken = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
        for param in anywhere:
            if taken & {*param.opts, *param.secondary_opts}:
                continue  # the command's own option of that name wins
            late = copy.copy(param)
            late.name, late.expose_value, late.hidden = _LATE + param.name, False, True
            late.envvar, late.callback, late.is_eager = None, _late_option, False
            command.params.append(late)
        for sub in getattr(command, "commands", {}).values():
            add(sub)

    for command in group.commands.values():
        add(command)


_COMPLETION_OPTIONS = ("--install-completion", "--show-completion")


class _Commands(TyperGroup):
    """The root command: no traceback ever reaches the terminal, whatever a command raises."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 - TyperGroup's own
        super().__init__(*args, **kwargs)
        _human_placeholders(self)
        _accept_root_options_anywhere(self)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # noqa: ANN401 - click's
        """A completion option with no shell named means the shell that runs this."""
        args = list(args)
        for at, word in enumerate(args):
            if word == "--":
                break
            following = args[at + 1] if at + 1 < len(args) else "-"
            if word in _COMPLETION_OPTIONS and (following[:1] == "-" or following in self.commands):
                args.insert(at + 1, _DETECT)
                break
        return list(super().parse_args(ctx, args))

    # `Any`: typer types it with the click it vendors, whose module is private.
    def invoke(self, ctx: Any) -> Any:  # noqa: ANN401 - whatever the command returns
        try:
            with exit_codes(interrupted=RESUME_HINT):
                return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # exits, usage errors and --help: typer prints them as always
        except Exception as error:  # noqa: BLE001 - the last line of defence, by design
            verbose = isinstance(ctx.obj, GlobalOptions) and ctx.obj.verbose
            if verbose:
                errors.print_exception()
            fail(
                ExitCode.INTERNAL,
                f"unexpected {type(error).__name__}: {error} (a bug in magento-ir: please "
                "report it" + ("" if verbose else "; --verbose shows where it happened") + ")",
            )


app = typer.Typer(
    name="magento-ir",
    cls=_Commands,
    help="Incident response for Magento 2 / Adobe Commerce: contain, verify, roll back, drill.\n\n"
    "The options below may also follow the command (all but --version and the completion ones).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@dataclass
class GlobalOptions:
    """What the top-level options gave; resolved against env and profile on first use."""

    flags: StoreSettings
    profile: str | None = None
    profiles_file: Path | None = None
    timeout: float = 30.0
    allow_insecure_http: bool = False
    verbose: bool = False
    no_color: bool = False
    quiet: bool = False
    # Asked for once per run when a user name is given without a password (never echoed).
    prompted_password: str | None = field(default=None, repr=False)

    def resolve(self) -> StoreSettings:
        return resolve_settings(
            self.flags, os.environ, profile=self.profile, profiles_path=self.profiles_file
        )

    def take(self, name: str, value: Any) -> None:  # noqa: ANN401 - one root option's value
        """A root option given after the command: set it as if it had come before."""
        if name in _STORE_FLAGS:
            self.flags = dataclasses.replace(self.flags, **{name: value})
        else:
            setattr(self, _FIELDS.get(name, name), value)
        self.take_effect()

    def take_effect(self) -> None:
        """What the display options change at once: colours and request logging."""
        if self.no_color:
            console.no_color = errors.no_color = True
        if self.verbose:
            _log_requests()


# Root options that are store settings, and those whose GlobalOptions field has another name.
_STORE_FLAGS = frozenset(field.name for field in dataclasses.fields(StoreSettings))
_FIELDS = {"insecure_http": "allow_insecure_http"}


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time (it is swapped under test runners)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.setStream(sys.stderr)
        super().emit(record)


def _log_requests() -> None:
    """--verbose: one line per request on stderr (never a secret), set up once per logger."""
    handler = (
        next(
            (
                item
                for item in logging.getLogger("magento_ir").handlers
                if isinstance(item, _StderrHandler)
            ),
            None,
        )
        or _StderrHandler()
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    enable_logging(handler)


# `magento-ir --show-completion [SHELL]`: the shells typer writes completion scripts for.
SHELLS = ("bash", "zsh", "fish")
PROG_NAME = "magento-ir"
_COMPLETE_VAR = "_MAGENTO_IR_COMPLETE"  # what the scripts set to ask for completions
_DETECT = "detect"  # the value of a completion option given without a shell


def _shell(value: str) -> str:
    if value in SHELLS:
        return value
    if value != _DETECT:
        raise typer.BadParameter(
            f"{value!r} is not a shell this can complete in: {', '.join(SHELLS)}"
        )
    detected = _get_shell_name() or ""
    if detected not in SHELLS:
        raise typer.BadParameter(
            f"cannot tell which shell this is ({detected or 'none found'}): name it, "
            f"one of {', '.join(SHELLS)}"
        )
    return detected


def _show_completion(value: str | None) -> None:
    if value is not None:
        typer.echo(
            get_completion_script(
                prog_name=PROG_NAME, complete_var=_COMPLETE_VAR, shell=_shell(value)
            )
        )
        raise typer.Exit


def _install_completion(value: str | None) -> None:
    if value is not None:
        shell, path = install(shell=_shell(value), prog_name=PROG_NAME, complete_var=_COMPLETE_VAR)
        typer.echo(
            f"{shell} completion for {PROG_NAME} installed in {path}: it works in new shells."
        )
        raise typer.Exit


def _version(value: bool) -> None:
    if value:
        console.print(f"magento-ir {__version__}")
        raise typer.Exit


@app.callback()
def main_options(  # noqa: PLR0917 - one parameter per command-line option
    ctx: typer.Context,
    base_url: Annotated[
        str | None,
        typer.Option(help="Store URL, e.g. https://shop.example.com (env MAGENTO_IR_BASE_URL)."),
    ] = None,
    username: Annotated[
        str | None, typer.Option(help="Admin user name (env MAGENTO_IR_USERNAME).")
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(
            help="Admin password; prefer MAGENTO_IR_PASSWORD or a profile.", show_default=False
        ),
    ] = None,
    totp_secret: Annotated[
        str | None,
        typer.Option(help="2FA base32 secret (env MAGENTO_IR_TOTP_SECRET).", show_default=False),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            help="Admin or integration bearer token (env MAGENTO_IR_TOKEN).", show_default=False
        ),
    ] = None,
    consumer_key: Annotated[
        str | None, typer.Option(help="Integration consumer key (env MAGENTO_IR_CONSUMER_KEY).")
    ] = None,
    storefront_url: Annotated[
        str | None, typer.Option(help="Storefront URL when it differs from the API's.")
    ] = None,
    canary_email: Annotated[
        str | None,
        typer.Option(
            help="Canary customer proving sessions end (password: MAGENTO_IR_CANARY_PASSWORD)."
        ),
    ] = None,
    canary_admin: Annotated[
        str | None,
        typer.Option(
            help="Canary admin user proving admin sessions end "
            "(password: MAGENTO_IR_CANARY_ADMIN_PASSWORD)."
        ),
    ] = None,
    profile: Annotated[
        str | None, typer.Option(help="Profile name in the profiles file (env MAGENTO_IR_PROFILE).")
    ] = None,
    profiles_file: Annotated[
        Path | None,
        typer.Option(help="Profiles file (default ~/.config/magento-ir/profiles.toml)."),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            min=0.1,
            envvar="MAGENTO_IR_TIMEOUT",
            help="Seconds each HTTP request may take in all, connect to last byte "
            "(env MAGENTO_IR_TIMEOUT).",
        ),
    ] = 30.0,
    insecure_http: Annotated[
        bool,
        typer.Option(
            "--insecure-http",
            help="Allow credentials over plain http:// to a host other than this machine "
            "(test stores only: anyone on the network path can read them).",
        ),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log every request (never secrets).")
    ] = False,
    no_color: Annotated[
        bool,
        typer.Option("--no-color", help="No colours in the output (also when NO_COLOR is set)."),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="No progress bars on stderr (results still print)."),
    ] = False,
    version: Annotated[  # noqa: ARG001 - handled by the eager callback
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
    install_completion: Annotated[  # noqa: ARG001 - handled by the eager callback
        str | None,
        typer.Option(
            callback=_install_completion,
            is_eager=True,
            metavar="[bash|zsh|fish]",
            help="Install tab completion for this shell (default: the one running).",
        ),
    ] = None,
    show_completion: Annotated[  # noqa: ARG001 - handled by the eager callback
        str | None,
        typer.Option(
            callback=_show_completion,
            is_eager=True,
            metavar="[bash|zsh|fish]",
            help="Print the tab-completion script for this shell (default: the one running).",
        ),
    ] = None,
) -> None:
    """Store and credentials: flags > MAGENTO_IR_* environment variables > profile file.

    These options may also follow the command: `magento-ir contain --base-url URL ...`.
    """
    fit_output()
    flags = StoreSettings(
        base_url=base_url,
        username=username,
        password=password,
        totp_secret=totp_secret,
        token=token,
        consumer_key=consumer_key,
        storefront_url=storefront_url,
        canary_email=canary_email,
        canary_admin=canary_admin,
    )
    ctx.obj = GlobalOptions(
        flags,
        profile,
        profiles_file,
        timeout=timeout,
        allow_insecure_http=insecure_http,
        verbose=verbose,
        no_color=no_color,
        quiet=quiet,
    )
    ctx.obj.take_effect()
