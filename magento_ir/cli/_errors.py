"""How every `magento-ir` command fails: one message on stderr and a documented exit code."""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from magento_ir._exceptions import (
    APIConnectionError,
    AuthenticationError,
    ConfigurationError,
    InvalidArgumentError,
    MagentoIRError,
    ModuleRequiredError,
    UnexpectedResponseError,
)
from magento_ir.cli._config import ExitCode
from magento_ir.evidence import LogIntegrityError, TornRecordError, UncoveredLogError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["RESUME_HINT", "cli_wording", "errors", "exit_codes", "fail"]

# The SDK's messages name its Python API; on the command line the same advice names the flag
# or command. tests/cli/test_cli_wording.py triggers each message and checks the translation.
_CLI_WORDING = (
    (re.compile(r"pass inputs=\{'([^']+)': \.\.\.\}"), r"pass --input \1=VALUE"),
    (re.compile(r" \(or EvidenceLog\.open\(\.\.\., repair=True\)\)"), ""),
    (re.compile(r"pass allow_insecure_http=True \(CLI: --insecure-http\)"), "pass --insecure-http"),
    (
        re.compile(r"create one with SigningKey\.generate\(name\)\.save\(path\)"),
        "give an existing key file, or leave out --key for the default key (made on first use)",
    ),
    (
        re.compile(
            r"pass AdminCredentials\(\.\.\., totp_secret='<base32 secret>'\) or "
            r"otp_provider=\.\.\."
        ),
        "pass --totp-secret (or set MAGENTO_IR_TOTP_SECRET)",
    ),
    (re.compile(r"pass them as auth=\.\.\."), "pass them with --username and --password"),
)


def cli_wording(message: str) -> str:
    """An SDK message as the command line says it: flags and commands instead of Python."""
    for pattern, replacement in _CLI_WORDING:
        message = pattern.sub(replacement, message)
    return message


errors = Console(stderr=True)

# What Ctrl-C leaves behind: the journal is fsynced record by record, so a rerun resumes.
RESUME_HINT = "Interrupted. Run the same command again: the journal resumes where it stopped."


def fail(code: ExitCode, message: str) -> NoReturn:
    # Escaped: rich would take "[inputs.x]" or "[not reversible: ...]" in a message for markup.
    errors.print(
        f"[red]Error:[/red] {escape(cli_wording(message))}", highlight=False, soft_wrap=True
    )
    raise typer.Exit(int(code))


@contextmanager
def exit_codes(*, interrupted: str | Callable[[], str]) -> Iterator[None]:
    """Map the SDK's errors onto the documented exit codes, with their (secret-free) message.

    `interrupted` tells the responder what Ctrl-C left behind and how to carry on (a function:
    what was left depends on when it came).
    """
    try:
        yield
    except KeyboardInterrupt:
        fail(ExitCode.INTERRUPTED, interrupted if isinstance(interrupted, str) else interrupted())
    except ModuleRequiredError as error:
        fail(ExitCode.MODULE_REQUIRED, str(error))
    except AuthenticationError as error:
        fail(
            ExitCode.AUTHENTICATION,
            f"{error}\nCheck the credentials (and that the API user has the ACL resources).",
        )
    except (APIConnectionError, UnexpectedResponseError) as error:
        fail(ExitCode.UNREACHABLE, str(error))
    except (ConfigurationError, InvalidArgumentError) as error:
        fail(ExitCode.USAGE, str(error))
    except UncoveredLogError as error:
        fail(ExitCode.UNTRUSTED_LOG, str(error))
    except (LogIntegrityError, TornRecordError) as error:
        fail(ExitCode.VERIFICATION_FAILED, str(error))
    except OSError as error:
        # A file the responder named (or its folder) that cannot be read or written.
        where = f"{error.filename}: " if error.filename else ""
        fail(ExitCode.USAGE, f"{where}{error.strerror or error}")
    except MagentoIRError as error:
        # Playbook mistakes are MagentoIRError + ValueError with the file, line and fix.
        code = ExitCode.USAGE if isinstance(error, ValueError) else ExitCode.CONTAINMENT_FAILED
        fail(code, str(error))
