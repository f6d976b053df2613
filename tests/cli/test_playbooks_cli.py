"""`magento-ir playbooks show NAME` and `playbooks validate FILE`; `--action 'maintenance
mode=off'` over HTTP against the served sandbox."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from magento_ir.cli import ExitCode, app
from magento_ir.containment import shipped_playbooks
from magento_ir.containment.actions import ACTIONS
from tests.conftest import REPO_ROOT

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.sandbox import Sandbox

SCHEMAS = REPO_ROOT / "docs" / "schemas"
BROKEN = (
    '[playbook]\nname = "mine"\ntitle = "Mine"\n\n[[steps]]\naction = "maintenance"\n'
    'retry_after = 600\nmode = "closed"\n\n[[steps]]\naction = "disable_cms_blocks"\nidz = [1]\n'
)


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), terminal_width=400)


def _valid(schema: str, output: str) -> dict[str, Any]:
    document = json.loads(output)  # the whole of stdout is one document
    validator = Draft202012Validator(json.loads((SCHEMAS / schema).read_text(encoding="utf-8")))
    Draft202012Validator.check_schema(validator.schema)
    errors = [
        f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(document)
    ]
    assert not errors, errors
    return dict(document)


def test_show_lists_inputs_and_steps_from_the_action_registry() -> None:
    result = run("playbooks", "show", "magecart")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "--input 'skimmer_block_ids=[3,7]'" in text
    assert "--input 'skimmer_live_since=2024-05-01 00:00:00'" in text
    assert "no (default '')" in text  # skimmer_live_since is optional
    assert "when skimmer_live_since is given" in text
    assert "ids=$skimmer_block_ids" in text
    # What changes and whether it can be undone come from the action classes themselves.
    sessions = ACTIONS["terminate_sessions"]
    assert f"not reversible: {sessions.irreversible}" in text
    assert "reversible: rollback restores the state recorded before the write" in text


@pytest.mark.parametrize("name", sorted(shipped_playbooks()))
def test_show_json_of_every_shipped_playbook(name: str) -> None:
    result = run("playbooks", "show", name, "--json")
    assert result.exit_code == 0, result.output
    document = _valid("playbook-show.json", result.stdout)
    book = shipped_playbooks()[name]
    assert [step["action"] for step in document["steps"]] == [s.action for s in book.steps]
    for step in document["steps"]:
        kind = ACTIONS[step["action"]]
        assert step["reversible"] is (kind.irreversible is None)
    assert [item["name"] for item in document["inputs"]] == [item.name for item in book.inputs]


def test_show_a_playbook_file_and_an_unknown_name(tmp_path: Path) -> None:
    path = tmp_path / "open.toml"
    path.write_text(
        '[playbook]\nname = "reopen"\ntitle = "Reopen"\n\n[[steps]]\naction = "maintenance"\n'
        'mode = "off"\n'
    )
    shown = run("playbooks", "show", str(path), "--json")
    assert shown.exit_code == 0, shown.output
    (step,) = _valid("playbook-show.json", shown.stdout)["steps"]
    assert step["params"] == {"mode": "off"}
    assert step["reversible"] is True
    missing = run("playbooks", "show", "nope")
    assert missing.exit_code == ExitCode.USAGE
    assert "no shipped playbook named 'nope'" in missing.output


def test_validate_prints_every_problem_at_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(BROKEN)
    result = run("playbooks", "validate", str(path))
    assert result.exit_code == ExitCode.USAGE == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        (
            f"{path}:8:8: steps[1]: maintenance: mode must be 'storefront', 'checkout', 'full' or "
            "'off', not 'closed'"
        ),
        f"{path}:10:1: steps[2]: disable_cms_blocks needs ids",
        f"{path}:12:1: steps[2].idz: disable_cms_blocks has no parameter 'idz'; it takes ids",
        f"3 problems in {path}",
    ]
    as_json = run("playbooks", "validate", str(path), "--json")
    assert as_json.exit_code == ExitCode.USAGE
    document = _valid("playbook-validate.json", as_json.stdout)
    assert document["ok"] is False
    assert [(p["line"], p["column"], p["key"]) for p in document["problems"]] == [
        (8, 8, "steps[1]"),
        (10, 1, "steps[2]"),
        (12, 1, "steps[2].idz"),
    ]


def test_validate_a_good_file_and_a_missing_one(tmp_path: Path) -> None:
    path = tmp_path / "fine.toml"
    path.write_text(
        BROKEN.replace('"closed"', '"off"').replace("retry_after = 600\n", "").replace("idz", "ids")
    )
    result = run("playbooks", "validate", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"OK: {path} is playbook mine (2 steps, 0 inputs)"
    document = _valid(
        "playbook-validate.json", run("playbooks", "validate", str(path), "--json").stdout
    )
    assert document == {
        "file": str(path),
        "ok": True,
        "playbook": "mine",
        "problems": [],
        "exit_code": 0,
    }
    for bad in (tmp_path / "absent.toml", tmp_path):
        refused = run("playbooks", "validate", str(bad))
        assert refused.exit_code == ExitCode.USAGE
        assert "Traceback" not in refused.output
        assert str(bad) in refused.output


def test_the_plain_list_still_lists() -> None:
    result = run("playbooks", "--json")
    assert result.exit_code == 0, result.output
    assert "magecart" in [
        book["name"] for book in _valid("playbooks.json", result.stdout)["playbooks"]
    ]


def test_maintenance_off_as_an_action_over_http(store: Sandbox) -> None:
    """Close the shop in one incident; `--action 'maintenance mode=off'` in another opens it,
    verified as a shopper; its rollback closes it again as it was."""
    closed = run("contain", "-a", "maintenance mode=storefront retry_after=1200", "--yes",
                 "--journal", "first.log", "--json")  # fmt: skip
    assert closed.exit_code == 0, closed.output
    opened = run(
        "contain", "-a", "maintenance mode=off", "--yes", "--journal", "second.log", "--json"
    )
    assert opened.exit_code == 0, opened.output
    (step,) = json.loads(opened.stdout)["steps"]
    assert step["status"] == "verified"
    assert step["plan"]["summary"] == "maintenance storefront -> off: the shop opens to shoppers"
    assert {check["name"]: check["passed"] for check in step["verification"]["checks"]} == {
        "responder keeps API access": True,
        "the storefront answers shoppers normally": True,
        "maintenance is off (module and Magento's flag)": True,
    }
    with store.lock:
        assert store.state.incident_response.maintenance_mode == "off"
    rolled = run("rollback", "--yes", "--journal", "second.log", "--json")
    assert rolled.exit_code == 0, rolled.output
    with store.lock:
        assert store.state.incident_response.maintenance_mode == "storefront"
        assert store.state.incident_response.maintenance_retry_after == 1200


def test_action_flag_mistakes_name_the_flag() -> None:
    result = run("contain", "-a", "maintenance mode=closed", "-a", "maintenance mode=off message=x")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.splitlines() == [
        (
            "Error: --action 'maintenance mode=closed': maintenance: mode must be 'storefront', "
            "'checkout', 'full' or 'off', not 'closed'"
        ),
        (
            "--action 'maintenance mode=off message=x': maintenance: allowed_ips, message and "
            "retry_after describe a closed shop: mode 'off' takes none of them (a rollback "
            "restores the ones it found)"
        ),
    ]


def test_action_values_keep_their_quotes_and_brackets() -> None:
    """A list of quoted strings (even with spaces) and a quoted message reach the action as
    TOML: a shell-style split would have turned the list into one string."""
    from magento_ir.cli.playbooks import load  # noqa: PLC0415

    book = load(
        None,
        [
            'quarantine_products skus=["IR-SKU-001", "A B"]',
            "maintenance message='Back soon' retry_after=1200",
            'maintenance mode=checkout message="Say \\"hi\\""',
        ],
        "t",
    )
    assert [step.params for step in book.steps] == [
        {"skus": ["IR-SKU-001", "A B"]},
        {"message": "Back soon", "retry_after": 1200},
        {"mode": "checkout", "message": 'Say "hi"'},
    ]
    unclosed = run("contain", "-a", "maintenance message='Back soon")
    assert unclosed.exit_code == ExitCode.USAGE
    assert "a ' quote is not closed" in unclosed.output
