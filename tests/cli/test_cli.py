"""The `magento-ir` command against a served sandbox store: exit codes, prompts, dry runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import typer
from typer.testing import CliRunner

from magento_ir import ConfigurationError, MagentoIRError, ModuleRequiredError, set_testing
from magento_ir._version import __version__
from magento_ir.cli import app
from magento_ir.cli._config import ExitCode
from magento_ir.cli._errors import exit_codes
from magento_ir.cli.playbooks import _toml_value
from magento_ir.containment.playbooks import PlaybookError
from magento_ir.evidence import read_records
from magento_ir.sandbox import Sandbox, SandboxServer
from tests.conftest import REPO_ROOT

if TYPE_CHECKING:
    from collections.abc import Iterator

PASSWORD = "Sandbox123!"
MAGECART = ["contain", "magecart", "--input", "skimmer_block_ids=[1]"]


@pytest.fixture(autouse=True)
def _no_waits() -> Iterator[None]:
    set_testing(True)
    yield
    set_testing(False)


@pytest.fixture(autouse=True)
def _environment(tmp_path, monkeypatch) -> None:
    """A clean MAGENTO_IR_* environment, a private config home and the tmp dir as cwd."""
    for name in list(os.environ):
        if name.startswith("MAGENTO_IR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)


def _serve(with_module: bool) -> Iterator[tuple[Sandbox, str]]:
    sandbox = Sandbox(with_module=with_module, orders=5)
    with SandboxServer(sandbox) as server:
        yield sandbox, server.base_url


@pytest.fixture
def store(monkeypatch) -> Iterator[Sandbox]:
    """A served sandbox with the module, the CLI pointed at it by environment variables."""
    for sandbox, url in _serve(with_module=True):
        monkeypatch.setenv("MAGENTO_IR_BASE_URL", url)
        monkeypatch.setenv("MAGENTO_IR_USERNAME", "admin")
        monkeypatch.setenv("MAGENTO_IR_PASSWORD", PASSWORD)
        yield sandbox


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_version_flag_prints_the_package_version():
    """`magento-ir --version` prints the version and exits 0."""
    result = invoke("--version")
    assert result.exit_code == 0
    assert __version__ in result.output


def test_console_script_runs_in_a_subprocess():
    """The installed `magento-ir` entry point starts and answers --version and --help."""
    script = Path(sys.executable).parent / "magento-ir"
    assert script.exists(), "pip install -e . installs the magento-ir console script"
    # This checkout's code, whichever tree the environment's editable install points at.
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    version = subprocess.run(  # noqa: S603 - our own console script
        [str(script), "--version"], capture_output=True, text=True, check=False, env=env
    )
    assert version.returncode == 0
    assert version.stdout.strip() == f"magento-ir {__version__}"
    helped = subprocess.run(  # noqa: S603
        [str(script), "--help"], capture_output=True, text=True, check=False, env=env
    )
    assert helped.returncode == 0
    for command in ("contain", "verify", "rollback", "status", "drill", "sandbox"):
        assert command in helped.stdout


def test_sandbox_sub_app_is_mounted():
    """`magento-ir sandbox serve --help` reaches the sandbox's own command."""
    result = invoke("sandbox", "serve", "--help")
    assert result.exit_code == 0
    assert "--with-module" in result.output


def test_dry_run_changes_nothing_in_the_store(store):
    """`contain --dry-run` shows the plan and leaves the sandbox byte-identical."""
    before = store.inspect.digest()
    result = invoke(*MAGECART, "--dry-run")
    assert result.exit_code == ExitCode.OK, result.output
    assert "Plan (nothing has changed yet)" in result.output
    assert "disable_cms_blocks" in result.output
    assert store.inspect.digest() == before


def test_without_a_terminal_contain_refuses_to_prompt(store):
    """Without --yes and without a TTY, contain writes nothing and exits 2."""
    before = store.inspect.digest()
    result = invoke(*MAGECART)
    assert result.exit_code == ExitCode.USAGE
    assert "pass --yes" in result.output
    assert store.inspect.digest() == before


def test_contain_with_yes_applies_verifies_and_reports(store):
    """`contain --yes` applies every step, verifies it, and ends with a summary table."""
    result = invoke(*MAGECART, "--yes")
    assert result.exit_code == ExitCode.OK, result.output
    assert result.output.count("verified") >= 3
    with store.lock:
        assert store.state.cms_blocks.get(1)["active"] is False
        assert store.state.incident_response.maintenance_mode == "storefront"
    assert Path("incident-journal.log").exists()


def test_status_verify_and_rollback_follow_the_journal(store):
    """After contain, status lists the steps, verify re-checks them, rollback undoes them."""
    assert invoke(*MAGECART, "--yes").exit_code == ExitCode.OK
    status = invoke("status")
    assert status.exit_code == ExitCode.OK, status.output
    assert "maintenance" in status.output
    assert "storefront" in status.output
    verified = invoke("verify")
    assert verified.exit_code == ExitCode.OK, verified.output
    refused = invoke("rollback")
    assert refused.exit_code == ExitCode.USAGE
    rolled = invoke("rollback", "--yes")
    assert rolled.exit_code == ExitCode.OK, rolled.output
    assert "rolled_back" in rolled.output
    with store.lock:
        assert store.state.cms_blocks.get(1)["active"] is True
        assert store.state.incident_response.maintenance_mode == "off"


def test_single_actions_run_without_a_playbook(store):
    """`--action 'kind key=value'` runs that action alone."""
    result = invoke("contain", "--action", "disable_cms_blocks ids=[1]", "--yes")
    assert result.exit_code == ExitCode.OK, result.output
    with store.lock:
        assert store.state.cms_blocks.get(1)["active"] is False


@pytest.mark.usefixtures("store")
def test_bad_action_is_a_usage_error():
    """An unknown action name exits 2 and lists the actions there are."""
    result = invoke("contain", "--action", "nuke_everything", "--yes")
    assert result.exit_code == ExitCode.USAGE
    assert "quarantine_products" in result.output


@pytest.mark.usefixtures("store")
def test_missing_playbook_input_is_a_usage_error():
    """A playbook input left out exits 2 naming the input."""
    result = invoke("contain", "magecart", "--yes")
    assert result.exit_code == ExitCode.USAGE
    assert "skimmer_block_ids" in result.output


@pytest.mark.usefixtures("store")
def test_wrong_password_exits_3_without_printing_it(monkeypatch):
    """A refused login exits 3; the password is in no output, even with --verbose."""
    monkeypatch.setenv("MAGENTO_IR_PASSWORD", "Wrong-Secret-42")
    result = invoke("--verbose", *MAGECART, "--dry-run")
    assert result.exit_code == ExitCode.AUTHENTICATION
    assert "/rest/V1/integration/admin/token" in result.output  # --verbose logged the request
    assert "Wrong-Secret-42" not in result.output


def test_unreachable_store_exits_4(monkeypatch):
    """Nothing listening at the base URL exits 4 with the connection error."""
    monkeypatch.setenv("MAGENTO_IR_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("MAGENTO_IR_TOKEN", "not-a-real-token")
    result = invoke(*MAGECART, "--dry-run")
    assert result.exit_code == ExitCode.UNREACHABLE
    assert "could not connect" in result.output


def test_module_action_without_the_module_exits_5(monkeypatch):
    """An action only the module can do, on a store without it, exits 5 and says how to install."""
    for _sandbox, url in _serve(with_module=False):
        monkeypatch.setenv("MAGENTO_IR_BASE_URL", url)
        monkeypatch.setenv("MAGENTO_IR_USERNAME", "admin")
        monkeypatch.setenv("MAGENTO_IR_PASSWORD", PASSWORD)
        result = invoke("contain", "--action", "maintenance mode=storefront", "--yes")
        assert result.exit_code == ExitCode.MODULE_REQUIRED, result.output
        assert "composer require" in result.output


def test_unsafe_profile_file_exits_2(tmp_path):
    """A profiles file others can read is refused with exit 2 and the chmod fix."""
    path = tmp_path / "profiles.toml"
    path.write_text('[default]\nbase_url = "https://shop.test"\npassword = "Pr0f1le!"\n')
    path.chmod(0o644)
    result = invoke("--profiles-file", str(path), "status")
    assert result.exit_code == ExitCode.USAGE
    assert "chmod 600" in result.output
    assert "Pr0f1le!" not in result.output


@pytest.mark.usefixtures("store")
def test_flags_win_over_environment(monkeypatch):
    """--base-url given on the command line beats MAGENTO_IR_BASE_URL."""
    url = os.environ["MAGENTO_IR_BASE_URL"]
    monkeypatch.setenv("MAGENTO_IR_BASE_URL", "http://127.0.0.1:9")
    result = invoke("--base-url", url, *MAGECART, "--dry-run")
    assert result.exit_code == ExitCode.OK, result.output


def test_status_without_store_or_journal_is_a_usage_error():
    """`status` with nothing to look at exits 2 and says what to give."""
    result = invoke("status")
    assert result.exit_code == ExitCode.USAGE
    assert "MAGENTO_IR_BASE_URL" in result.output


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (KeyboardInterrupt(), ExitCode.INTERRUPTED),
        (ModuleRequiredError("needs the module"), ExitCode.MODULE_REQUIRED),
        (ConfigurationError("bad"), ExitCode.USAGE),
        (PlaybookError("bad playbook"), ExitCode.USAGE),
        (MagentoIRError("other"), ExitCode.CONTAINMENT_FAILED),
    ],
)
def test_errors_map_to_documented_exit_codes(error, code):
    """Each kind of failure leaves with its documented exit code."""
    with pytest.raises(typer.Exit) as caught, exit_codes(interrupted="stopped"):
        raise error
    assert caught.value.exit_code == code


def test_canary_customer_proves_sessions_end(store, monkeypatch):
    """With a canary from flag + environment, terminate_sessions proves its token is refused."""
    monkeypatch.setenv("MAGENTO_IR_CANARY_PASSWORD", store.options.customer_password)
    result = invoke(
        "--canary-email", "ir.customer12@example.com",
        "contain", "--action", "terminate_sessions scope=customers", "--yes",
    )  # fmt: skip
    assert result.exit_code == ExitCode.OK, result.output
    assert store.options.customer_password not in result.output
    checks = [
        check
        for record in read_records("incident-journal.log")
        if record.type == "journal.verification"
        for check in record.payload["verification"]["checks"]
    ]
    assert {"name": "a token issued before is refused", "passed": True} in [
        {"name": check["name"], "passed": check["passed"]} for check in checks
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("[3, 7]", [3, 7]),
        ("3600", 3600),
        ("true", True),
        ('"quoted text"', "quoted text"),
        ("storefront", "storefront"),
        ("2026-11-01 00:00:00", "2026-11-01 00:00:00"),
    ],
)
def test_command_line_values_are_toml_or_text(text, value):
    """name=value takes TOML values; bare words and dates stay strings."""
    assert _toml_value(text) == value


@pytest.mark.usefixtures("store")
def test_status_reads_the_journal_without_a_store(monkeypatch):
    """`status` lists the journal's steps even when no store is configured."""
    assert invoke(*MAGECART, "--yes").exit_code == ExitCode.OK
    monkeypatch.delenv("MAGENTO_IR_BASE_URL")
    result = invoke("status")
    assert result.exit_code == ExitCode.OK, result.output
    assert "disable_cms_blocks" in result.output
    assert "verified" in result.output


@pytest.mark.usefixtures("store")
def test_contain_journal_verifies_with_the_signing_key(tmp_path):
    """The journal `contain` writes verifies, signatures included, with the CLI's own key."""
    assert invoke(*MAGECART, "--yes").exit_code == ExitCode.OK
    key = tmp_path / "config" / "magento-ir" / "journal.key"
    result = invoke("evidence", "verify", "incident-journal.log", "--key", str(key))
    assert result.exit_code == ExitCode.OK, result.output
    assert "signed" in result.output


def test_evidence_verify_refuses_a_malformed_verifier(tmp_path):
    """A verifier key that is not name+keyid+base64 is a usage error."""
    log = tmp_path / "log"
    log.write_text("")
    result = invoke("evidence", "verify", str(log), "--verifier", "nonsense")
    assert result.exit_code == ExitCode.USAGE
    assert "name+" in result.output


def test_without_the_cli_extra_the_command_names_it():
    """With typer missing, importing the CLI says which extra to install and exits 2."""
    code = "import sys; sys.modules['typer'] = None; import magento_ir.cli"
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert result.returncode == ExitCode.USAGE
    assert 'pip install "magento-ir[cli]"' in result.stderr


@pytest.mark.usefixtures("store")
def test_a_failed_entity_exits_1():
    """A step that fails for an entity (an unknown SKU) ends with exit code 1."""
    result = invoke(
        "contain", "--action", """quarantine_products skus='["NO-SUCH-SKU"]'""", "--yes"
    )
    assert result.exit_code == ExitCode.CONTAINMENT_FAILED, result.output


def test_canary_admin_proves_admin_sessions_end(store, monkeypatch):
    """With a canary admin, terminate_sessions proves the admin's earlier token is refused."""
    # The responder signs as an integration: an admin responder would be kept, canary or not.
    monkeypatch.delenv("MAGENTO_IR_USERNAME")
    monkeypatch.delenv("MAGENTO_IR_PASSWORD")
    for name, value in store.inspect.integration_credentials("ERP Connector").items():
        monkeypatch.setenv(f"MAGENTO_IR_{name.upper()}", value)
    monkeypatch.setenv("MAGENTO_IR_CANARY_ADMIN", "admin")
    monkeypatch.setenv("MAGENTO_IR_CANARY_ADMIN_PASSWORD", store.options.admin_password)
    result = invoke("contain", "--action", "terminate_sessions scope=admins", "--yes")
    assert result.exit_code == ExitCode.OK, result.output
    checks = {
        check["name"]: check["passed"]
        for record in read_records("incident-journal.log")
        if record.type == "journal.verification"
        for check in record.payload["verification"]["checks"]
    }
    assert checks["an admin token issued before is refused"] is True


def test_python_dash_m_runs_the_command():
    """`python -m magento_ir` is the `magento-ir` command, every group mounted."""
    result = subprocess.run(
        [sys.executable, "-m", "magento_ir", "--help"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "COLUMNS": "200"},
    )
    assert result.returncode == 0, result.stderr
    for group in ("contain", "verify", "rollback", "status", "playbooks", "drill", "evidence"):
        assert group in result.stdout
