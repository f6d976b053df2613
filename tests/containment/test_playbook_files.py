"""Playbook files: the shipped ones load; mistakes are named with file, line, key and the fix."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from magento_ir.containment import (
    DisableCmsBlocks,
    HoldOrders,
    Playbook,
    PlaybookError,
    load_playbook,
    shipped_playbooks,
)

if TYPE_CHECKING:
    from pathlib import Path

HEADER = '[playbook]\nname = "test"\ntitle = "Test"\n'


def test_shipped_playbooks_load_and_build() -> None:
    """Each shipped playbook validates and builds its actions from its declared inputs."""
    magecart = load_playbook("magecart")
    actions = magecart.actions({"skimmer_block_ids": [4]})
    assert [action.kind for action in actions] == [
        "maintenance",
        "disable_cms_blocks",
        "terminate_sessions",
    ]  # optional steps without their inputs are left out
    assert isinstance(actions[1], DisableCmsBlocks)
    assert actions[1].ids == [4]
    assert len(shipped_playbooks()) == 8


def test_input_reference_and_when() -> None:
    """`$input` fills a parameter; `when` keeps a step only when its input is non-empty."""
    playbook = Playbook.from_text(
        HEADER + '[inputs.since]\ntype = "string"\ndefault = ""\n'
        '[[steps]]\naction = "hold_orders"\nwhen = "since"\ncreated_from = "$since"\n'
    )
    assert playbook.actions({}) == []
    (hold,) = playbook.actions({"since": "2024-01-01 00:00:00"})
    assert isinstance(hold, HoldOrders)
    assert hold.created_from == "2024-01-01 00:00:00"


def test_playbook_file_by_path(tmp_path: Path) -> None:
    """A playbook file loads by path, and its errors name that file."""
    path = tmp_path / "mine.toml"
    path.write_text(HEADER + '[[steps]]\naction = "disable_cms_blocks"\nids = [1]\n')
    assert load_playbook(path).name == "test"
    path.write_text(HEADER + '[[steps]]\naction = "disable_cms_blocks"\nidz = [1]\n')
    with pytest.raises(PlaybookError, match=rf"{path}:6:1: steps\[1\]\.idz: .*takes ids"):
        load_playbook(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[playbook\n", r"^p\.toml:1:10: not valid TOML: Expected ']'"),
        ('[[steps]]\naction = "hold_orders"\n', r"\[playbook\]: missing"),
        (
            '[playbook]\nname = "Bad Name"\ntitle = "x"\n',
            r":2:8: playbook.name: must be lower-case",
        ),
        (HEADER, r"steps: no steps"),
        (HEADER + '[[steps]]\naction = "nuke"\n', r":5:10: steps\[1\]\.action: 'nuke' is not an"),
        (
            HEADER + '[[steps]]\naction = "quarantine_products"\n',
            r":4:1: steps\[1\]: quarantine_products needs skus",
        ),
        (
            HEADER + '[[steps]]\naction = "quarantine_products"\nskus = "$gone"\n',
            r":6:8: steps\[1\]\.skus: refers to \$gone, which is not declared",
        ),
        (HEADER + '[inputs.x]\ntype = "yaml"\n', r":5:8: inputs\.x\.type: must be one of"),
        (
            HEADER + '[inputs.x]\ntype = "int_list"\ndefault = "1,2"\n',
            r":6:11: inputs\.x\.default: must be a list of integers",
        ),
        ("[extra]\n" + HEADER, r":1:1: extra: unknown table"),
    ],
)
def test_mistakes_are_located_and_explained(text: str, message: str) -> None:
    """Each kind of mistake is a PlaybookError naming the line and key, what and how."""
    with pytest.raises(PlaybookError, match=message):
        Playbook.from_text(text, source="p.toml")


def test_inputs_are_checked_when_running() -> None:
    """Missing, undeclared or mistyped inputs are refused with the input's name."""
    magecart = load_playbook("magecart")
    with pytest.raises(PlaybookError, match="needs input 'skimmer_block_ids'"):
        magecart.actions({})
    with pytest.raises(PlaybookError, match="'skus' is not declared"):
        magecart.actions({"skimmer_block_ids": [1], "skus": ["A"]})
    with pytest.raises(PlaybookError, match="must be a list of integers"):
        magecart.actions({"skimmer_block_ids": "1"})
    with pytest.raises(PlaybookError, match="no shipped playbook named 'nope'"):
        load_playbook("nope")


def test_action_errors_point_at_the_step() -> None:
    """An input value the action refuses is reported with the step number when building."""
    playbook = Playbook.from_text(
        HEADER + '[inputs.methods]\ntype = "str_list"\n'
        '[[steps]]\naction = "suspend_payments"\nmethods = "$methods"\n',
        source="p.toml",
    )
    with pytest.raises(PlaybookError, match=r"p.toml: steps\[1\] \(suspend_payments\)"):
        playbook.actions({"methods": ["Check Mo"]})


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ('action = "maintenance"\nmode = "closed"\n', r":6:8: steps\[1\]: maintenance: mode must"),
        (
            'action = "disable_cms_blocks"\nids = "$names"\n',
            (
                r":6:7: steps\[1\]: disable_cms_blocks: ids must be a list of positive "
                r"integer ids.*\$names is a str_list input, which does not fit"
            ),
        ),
    ],
)
def test_values_the_action_refuses_are_found_on_load(step: str, message: str) -> None:
    """A literal the action refuses, or an input of the wrong type, fails at load with its line."""
    text = HEADER + "[[steps]]\n" + step + '[inputs.names]\ntype = "str_list"\n'
    with pytest.raises(PlaybookError, match=message):
        Playbook.from_text(text, source="p.toml")
