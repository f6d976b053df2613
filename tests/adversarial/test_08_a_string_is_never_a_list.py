"""Issue 9 item 8: a string where a list is expected is refused at every entry point, naming
the parameter and showing the right form; nothing reaches the store."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from magento_ir import InvalidArgumentError
from magento_ir.cli import ExitCode, app
from magento_ir.containment import (
    DisableCmsBlocks,
    HoldOrders,
    LockdownAdmins,
    Maintenance,
    Playbook,
    PlaybookError,
    QuarantineProducts,
    SuspendPayments,
    TerminateSessions,
)

if TYPE_CHECKING:
    from magento_ir.sandbox import Sandbox

pytestmark = pytest.mark.usefixtures("no_waits")


@pytest.mark.parametrize(
    ("build", "name", "form"),
    [
        (lambda: QuarantineProducts(skus="IR-SKU-001"), "skus", 'skus=["IR-SKU-001"]'),
        (lambda: SuspendPayments(methods="braintree"), "methods", 'methods=["braintree"]'),
        (lambda: HoldOrders(statuses="pending"), "statuses", 'statuses=["pending"]'),
        (lambda: Maintenance(allowed_ips="203.0.113.7"), "allowed_ips", '["203.0.113.7"]'),
        (lambda: DisableCmsBlocks("37"), "ids", 'ids=["37"]'),
        (lambda: TerminateSessions(customer_ids="12"), "customer_ids", "customer_ids="),
        (lambda: LockdownAdmins(keep="1"), "keep", "keep="),
        (lambda: QuarantineProducts(skus=b"IR-SKU-001"), "skus", 'skus=["IR-SKU-001"]'),
        (lambda: QuarantineProducts(skus=["A", 1]), "skus[1]", "valid string"),
        (lambda: DisableCmsBlocks([True]), "ids[0]", "valid integer"),
        (lambda: LockdownAdmins(include_integrations="false"), "include_integrations", "bool"),
    ],
)
def test_python_refuses_a_scalar_for_a_list(build, name: str, form: str) -> None:
    """In Python, the error names the parameter and shows how to write it."""
    with pytest.raises(InvalidArgumentError) as raised:
        build()
    assert name in str(raised.value)
    assert form in str(raised.value)


def test_a_playbook_literal_string_for_a_list_is_refused_at_its_line() -> None:
    """`skus = "X"` in a playbook file is an error at load time, at its line."""
    text = """[playbook]
name = "pull"
title = "Pull a product"

[[steps]]
action = "quarantine_products"
skus = "IR-SKU-001"
"""
    with pytest.raises(PlaybookError, match=r'<playbook>:7:8: steps\[1\]: .*skus=\["IR-SKU-001"\]'):
        Playbook.from_text(text)


def test_a_string_input_cannot_feed_a_list_parameter() -> None:
    """A `string` input used for a list parameter is refused when the playbook loads."""
    text = """[playbook]
name = "pull"
title = "Pull a product"

[inputs.sku]
type = "string"

[[steps]]
action = "quarantine_products"
skus = "$sku"
"""
    with pytest.raises(PlaybookError, match="skus must be a list"):
        Playbook.from_text(text)


@pytest.mark.parametrize(
    "args",
    [
        ["--action", "suspend_payments methods=braintree"],
        ["--action", "quarantine_products skus=IR-SKU-001"],
        ["magecart", "-i", "skimmer_block_ids=[1]", "-i", "payment_methods=braintree"],
        ["magecart", "-i", "skimmer_block_ids=1"],
    ],
)
def test_the_command_line_refuses_a_scalar_and_changes_nothing(
    args: list[str], served: Sandbox
) -> None:
    """`--action ... methods=braintree` and `-i name=scalar` exit 2; the store is untouched."""
    before = served.inspect.digest()
    result = CliRunner().invoke(app, ["contain", *args, "--yes"])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "must be" in result.output
    assert served.inspect.digest() == before
    assert served.inspect.action_log() == []


@pytest.mark.usefixtures("cli_env")
def test_the_right_form_reaches_the_terminal_intact(tmp_path) -> None:
    """A bracketed fix in a message ("add [inputs.sku]") is printed, not eaten as markup."""
    book = tmp_path / "pull.toml"
    book.write_text(
        '[playbook]\nname = "pull"\ntitle = "Pull"\n\n[[steps]]\n'
        'action = "quarantine_products"\nskus = "$sku"\n'
    )
    result = CliRunner().invoke(app, ["contain", str(book), "--yes"])
    assert result.exit_code == ExitCode.USAGE
    assert "add [inputs.sku] with a type" in " ".join(result.output.split())
