"""`magento-ir scan` and `magento-ir watch` against a served sandbox store."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from magento_ir import set_testing
from magento_ir.cli import app
from magento_ir.drill._staging import HEAD_SKIMMER_SCRIPT
from magento_ir.evidence import read_records
from magento_ir.sandbox import Sandbox, SandboxServer
from tests.conftest import REPO_ROOT

if TYPE_CHECKING:
    from collections.abc import Iterator

SCHEMAS = REPO_ROOT / "docs" / "schemas"


@pytest.fixture(autouse=True)
def _environment(tmp_path, monkeypatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("MAGENTO_IR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    set_testing(True)
    yield
    set_testing(False)


@pytest.fixture
def store(monkeypatch) -> Iterator[Sandbox]:
    sandbox = Sandbox(with_module=True, products=5, customers=5, orders=0)
    with SandboxServer(sandbox) as server:
        monkeypatch.setenv("MAGENTO_IR_BASE_URL", server.base_url)
        monkeypatch.setenv("MAGENTO_IR_USERNAME", "admin")
        monkeypatch.setenv("MAGENTO_IR_PASSWORD", sandbox.options.admin_password)
        yield sandbox


def _json(schema: str, output: str) -> dict:
    document = json.loads(output)
    validator = Draft202012Validator(json.loads((SCHEMAS / schema).read_text("utf-8")))
    Draft202012Validator.check_schema(validator.schema)
    validator.validate(document)
    return document


@pytest.mark.usefixtures("store")
def test_scan_reports_and_gives_the_playbook_inputs() -> None:
    """scan finds the reference store's outside script and gives the contain command line."""
    result = CliRunner().invoke(app, ["scan", "--json"])
    assert result.exit_code == 1, result.output
    document = _json("scan.json", result.stdout)
    assert [f["identifier"] for f in document["findings"]] == ["footer-promo"]
    assert document["magecart_inputs"]["skimmer_block_ids"] == [1]
    assert document["contain_command"] == (
        "magento-ir contain magecart --input 'skimmer_block_ids=[1]'"
    )
    allowed = CliRunner().invoke(
        app, ["scan", "--allow-host", "cdn-analytics.example.net", "--playbook-inputs"]
    )
    assert allowed.exit_code == 0, allowed.output
    assert "Findings (0)" in allowed.output


def test_watch_once_opens_an_incident_and_status_shows_it(store: Sandbox) -> None:
    """watch --once: baseline incident for footer-promo, then the staged head include; --status."""
    first = CliRunner().invoke(app, ["watch", "--once", "--json"])
    assert first.exit_code == 1, first.output
    assert _json("watch.json", first.stdout)["incident"]["rules"] == ["external-script-host"]
    with store.lock:
        store.state.set_config("design/head/includes", HEAD_SKIMMER_SCRIPT)
    second = CliRunner().invoke(app, ["watch", "--once", "--json"])
    assert second.exit_code == 1, second.output
    document = _json("watch.json", second.stdout)
    entities = {
        f["entity_id"] for f in document["findings"] if f["fingerprint"] in document["new_findings"]
    }
    assert "design/head/includes@default:0" in entities
    quiet = CliRunner().invoke(app, ["watch", "--once"])
    assert quiet.exit_code == 0, quiet.output
    status = CliRunner().invoke(app, ["watch", "--status", "--json"])
    assert status.exit_code == 0, status.output
    state = _json("watch-status.json", status.stdout)
    assert state["passes"] == 3
    assert len(state["incidents"]) == 2
    types = [record.type for record in read_records("watch-evidence.log")]
    assert types.count("detect.incident") == 2


def test_watch_status_without_state_is_a_usage_error() -> None:
    """--status before any pass: exit 2 naming the file."""
    result = CliRunner().invoke(app, ["watch", "--status"])
    assert result.exit_code == 2
    assert "watch-state.json" in result.output


def test_watch_once_unreachable_store(monkeypatch) -> None:
    """A store that does not answer: exit 4, and the state says unreachable."""
    monkeypatch.setenv("MAGENTO_IR_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("MAGENTO_IR_USERNAME", "admin")
    monkeypatch.setenv("MAGENTO_IR_PASSWORD", "x")
    result = CliRunner().invoke(app, ["watch", "--once", "--json"])
    assert result.exit_code == 4, result.output
    assert json.loads(result.stdout)["reachable"] is False
    status = CliRunner().invoke(app, ["watch", "--status", "--json"])
    assert status.exit_code == 1
    assert json.loads(status.stdout)["status"] == "unreachable"


AUTHORIZED = """
title = "Payment-page scripts of the sandbox"
source = "test"
last_reviewed = 2026-12-01

[[scripts]]
src = "https://cdn-analytics.example.net/jquery.min.js"
justification = "The footer promotion's library (reviewed by marketing)"
authorized_by = "security lead"
last_reviewed = 2026-12-01
"""


@pytest.mark.tools
def test_scan_page_records_a_baseline_then_reports_the_head_skimmer(
    store: Sandbox, tmp_path
) -> None:
    """scan-page in Chromium: a baseline with each script's justification, then the staged head
    skimmer as a new, unjustified script (exit 1), and --record-baseline accepts it. (About
    12 s: three runs of the command, each starting its own Chromium, as a user's would.)"""
    from tests.conftest import require_tool  # noqa: PLC0415

    tools = ["--chromium", require_tool("chromium"), "--chromedriver", require_tool("chromedriver")]
    (tmp_path / "scripts.toml").write_text(AUTHORIZED, encoding="utf-8")
    args = ["scan-page", "--product", "blue-widget.html", "--authorizations", "scripts.toml"]
    first = CliRunner().invoke(app, [*args, *tools, "--json"])
    assert first.exit_code == 0, first.output
    document = _json("scan-page.json", first.stdout)
    assert document["baseline"]["recorded"] is True
    assert document["findings"] == []
    assert "content-security-policy" in document["inventory"]["headers"]
    [record] = [
        r for r in read_records(tmp_path / "page-evidence.log") if r.type == "detect.page_baseline"
    ]
    assert (
        record.payload["justifications"]["https://cdn-analytics.example.net/jquery.min.js"][
            "authorized_by"
        ]
        == "security lead"
    )
    with store.lock:
        store.state.set_config("design/head/includes", HEAD_SKIMMER_SCRIPT)
    second = CliRunner().invoke(app, [*args, *tools, "--json"])
    assert second.exit_code == 1, second.output
    document = _json("scan-page.json", second.stdout)
    assert document["baseline"]["recorded"] is False
    assert sorted((f["rule"], f["snippet"]) for f in document["findings"]) == [
        ("page-script-added", "https://static-analytics.example.org/gtag.js"),
        ("page-script-unjustified", "https://static-analytics.example.org/gtag.js"),
    ]
    accepted = CliRunner().invoke(app, ["scan-page", "--product", "blue-widget.html", *tools,
                                        "--record-baseline"])  # fmt: skip
    assert accepted.exit_code == 0, accepted.output
    assert "Recorded the baseline" in accepted.output


def test_scan_and_watch_find_skimmers_in_a_widget_layout_update_and_e_mail_template(
    store: Sandbox,
) -> None:
    """Planted where no core route reads: found by scan (with what to clean by hand) and watch."""
    script = '<script src="https://static-analytics.example.org/gtag.js"></script>'
    planted = {
        "widget_instance": {"widget_parameters": json.dumps({"title": script})},
        "layout_update": {"xml": f"<referenceContainer name='main'>{script}</referenceContainer>"},
        "email_template": {"template_text": "<p>Thanks</p>" + script},
    }
    with store.lock:
        for kind, fields in planted.items():
            store.state.store_content[kind][90] = {
                "entity_type": kind,
                "entity_id": 90,
                "identifier": "planted",
                "store_ids": [0],
                "theme_ids": [],
                "fields": [{"name": name, "value": value} for name, value in fields.items()],
            }
    allow = ["--allow-host", "cdn-analytics.example.net"]
    result = CliRunner().invoke(app, ["scan", *allow, "--json"])
    assert result.exit_code == 1, result.output
    document = _json("scan.json", result.stdout)
    found = {(f["entity_type"], f["entity_id"], f["field"]) for f in document["findings"]}
    assert found == {
        ("widget_instance", "90", "widget_parameters.title"),
        ("layout_update", "90", "xml"),
        ("email_template", "90", "template_text"),
    }
    inputs = document["magecart_inputs"]
    assert (inputs["skimmer_block_ids"], inputs["widget_instance_ids_to_clean"]) == ([], [90])
    assert inputs["layout_update_ids_to_clean"] == inputs["email_template_ids_to_clean"] == [90]
    assert document["notes"] == []
    text = CliRunner().invoke(app, ["scan", *allow, "--playbook-inputs"])
    assert "widget instance 90" in text.output
    assert "e-mail template 90" in text.output
    watched = CliRunner().invoke(app, ["watch", "--once", *allow, "--json"])
    assert watched.exit_code == 1, watched.output
    incident = _json("watch.json", watched.stdout)["incident"]
    assert incident["magecart_inputs"]["widget_instance_ids_to_clean"] == [90]
    assert incident["magecart_inputs"]["email_template_ids_to_clean"] == [90]
