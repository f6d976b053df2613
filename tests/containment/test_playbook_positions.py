"""Every mistake in a playbook file is reported at its exact line and column, all of them at
once: a table of broken playbooks, each with the `FILE:LINE:COLUMN: message` lines expected."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from magento_ir.containment import Playbook, PlaybookError
from magento_ir.containment._toml_positions import positions

if TYPE_CHECKING:
    from pathlib import Path

HEADER = '[playbook]\nname = "mine"\ntitle = "Mine"\n'
ACTIONS = (
    "block_orders, disable_cms_blocks, force_password_reset, hold_orders, lockdown_admins, "
    "maintenance, quarantine_products, revoke_own_customer_token, suspend_payments, "
    "terminate_sessions"
)
TYPES = "int_list, str_list, ids_or_all, string, integer, boolean"
MODE = "maintenance: mode must be 'storefront', 'checkout', 'full' or 'off', not 'closed'"
SYNTAX = "fix the syntax there (strings need quotes, and a key is written once per table)"

CASES: list[tuple[str, str, list[str]]] = [
    (
        # The case: reported at line 5 (the [[steps]] line) before.
        "mode-closed-on-line-8",
        HEADER + '\n[[steps]]\naction = "maintenance"\nretry_after = 600\nmode = "closed"\n',
        [f"8:8: steps[1]: {MODE}"],
    ),
    (
        "nested-table-in-the-header",
        HEADER + '\n[playbook.owner]\nteam = "ir"\n\n[[steps]]\naction = "maintenance"\n',
        ["5:1: playbook.owner: unknown key; use name, title, description"],
    ),
    (
        "nested-table-under-an-input",
        HEADER + '\n[inputs.skus]\ntype = "str_list"\n\n[inputs.skus.extra]\nx = 1\n\n'
        '[[steps]]\naction = "quarantine_products"\nskus = "$skus"\n',
        ["8:1: inputs.skus.extra: unknown key; use type, description, default"],
    ),
    (
        "third-table-of-the-array",
        HEADER + '\n[[steps]]\naction = "maintenance"\n\n[[steps]]\naction = "disable_cms_blocks"'
        '\nids = [1]\n\n[[steps]]\naction = "hold_orders"\nstatuses = "pending"\n',
        [
            (
                "14:12: steps[3]: hold_orders: statuses must be a list of strings, not the single "
                'string "pending": write statuses=["pending"] (e.g. statuses=["pending", '
                '"processing"]); a string would be taken one character at a time'
            )
        ],
    ),
    (
        "sub-table-of-a-step",
        HEADER + '\n[[steps]]\naction = "maintenance"\n[steps.options]\nfast = true\n',
        [
            (
                "7:1: steps[1].options: maintenance has no parameter 'options'; it takes "
                "allowed_ips, message, mode, retry_after"
            )
        ],
    ),
    (
        "inline-tables-in-an-array",
        'steps = [\n  {action = "maintenance"},\n  {action = "maintenance", mode = "closed"},\n]\n'
        + HEADER,
        [f"3:35: steps[2]: {MODE}"],
    ),
    (
        "inline-table-input",
        HEADER + '[inputs]\nskus = {type = "yaml", description = "x"}\n\n[[steps]]\n'
        'action = "quarantine_products"\nskus = "$skus"\n',
        [f"5:16: inputs.skus.type: must be one of {TYPES}"],
    ),
    (
        "wrong-types",
        (
            '[playbook]\nname = 7\ntitle = ""\n\n[[steps]]\naction = "maintenance"\n'
            'retry_after = "600"\n'
        ),
        [
            '2:8: playbook.name: must be lower-case letters, digits and _ (e.g. name = "magecart")',
            '3:9: playbook.title: must be a non-empty string (title = "what this contains")',
            (
                "7:15: steps[1]: maintenance: retry_after must be a whole number of seconds "
                "(e.g. 3600), not '600'"
            ),
        ],
    ),
    (
        "unknown-or-missing-action",
        HEADER + '\n[[steps]]\naction = "nuke_it"\n\n[[steps]]\nids = [1]\n',
        [
            f"6:10: steps[1].action: 'nuke_it' is not an action; use one of {ACTIONS}",
            f'8:1: steps[2].action: missing: add action = "..." (one of {ACTIONS})',
        ],
    ),
    (
        "unknown-keys-and-tables",
        HEADER + 'owner = "me"\n\n[inputs.ids]\ntype = "int_list"\nhelp = "x"\n\n[[steps]]\n'
        'action = "disable_cms_blocks"\nidz = "$ids"\n\n[oops]\n',
        [
            "4:1: playbook.owner: unknown key; use name, title, description",
            "8:1: inputs.ids.help: unknown key; use type, description, default",
            "10:1: steps[1]: disable_cms_blocks needs ids",
            "12:1: steps[1].idz: disable_cms_blocks has no parameter 'idz'; it takes ids",
            "14:1: oops: unknown table; a playbook has [playbook], [inputs.*] and [[steps]]",
        ],
    ),
    (
        "missing-inputs",
        HEADER + '\n[inputs.since]\ndescription = "no type"\n\n[[steps]]\n'
        'action = "disable_cms_blocks"\nids = "$block_ids"\n\n[[steps]]\naction = "hold_orders"'
        '\nwhen = "since"\ncreated_from = "$since"\n\n[[steps]]\naction = "maintenance"\n'
        'when = "nobody"\n',
        [
            f"5:1: inputs.since.type: missing: add type = one of {TYPES}",
            (
                "10:7: steps[1].ids: refers to $block_ids, which is not declared: add "
                "[inputs.block_ids] with a type"
            ),
            "19:8: steps[3].when: 'nobody' is not a declared input: name one of since",
        ],
    ),
    (
        "duplicate-step-ids",
        HEADER + '\n[[steps]]\naction = "maintenance"\n\n[[steps]]\naction = "disable_cms_blocks"'
        '\nids = [3]\n\n[[steps]]\naction = "maintenance"\nmode = "storefront"\n'
        "retry_after = 900\n",
        [
            (
                "12:1: steps[3]: repeats steps[1] (same action, same parameters): both would be "
                "one step id in the journal and the second would be skipped as done; remove one"
            )
        ],
    ),
    (
        "an-input-of-the-wrong-type-for-its-parameter",
        HEADER + '\n[inputs.names]\ntype = "str_list"\n\n[[steps]]\naction = "disable_cms_blocks"'
        '\nids = "$names"\n',
        [
            (
                "10:7: steps[1]: disable_cms_blocks: ids must be a list of positive integer ids, "
                "e.g. ids=[3, 7]; ids[0]: Input should be a valid integer; $names is a str_list "
                "input, which does not fit: declare it with a type that does"
            )
        ],
    ),
    (
        "a-multi-line-string-before-the-mistake",
        (
            '[playbook]\nname = "mine"\ntitle = "Mine"\ndescription = """\nline one\n'
            '[[steps]] is text here\n"""\n\n[[steps]]\naction = "maintenance"\n'
            "  mode = 'closed'\n"
        ),
        [f"11:10: steps[1]: {MODE}"],
    ),
    (
        "syntax-a-key-written-twice",
        HEADER + '\n[[steps]]\naction = "maintenance"\n  action = "maintenance"\n',
        [
            (
                "7:3: not valid TOML: Cannot overwrite a value: this key (or table) is already set "
                f"above; {SYNTAX}"
            )
        ],
    ),
    (
        "syntax-a-string-without-quotes",
        HEADER + "\n[[steps]]\naction = maintenance\n",
        [f"6:10: not valid TOML: Invalid value; {SYNTAX}"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_mistake_is_reported_at_its_line_and_column(
    tmp_path: Path, text: str, expected: list[str]
) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlaybookError) as raised:
        Playbook.from_file(path)
    assert str(raised.value).splitlines() == [f"{path}:{line}" for line in expected]
    assert [problem.render(str(path)) for problem in raised.value.problems] == [
        f"{path}:{line}" for line in expected
    ]


def test_a_missing_playbook_table_has_no_line() -> None:
    with pytest.raises(PlaybookError) as raised:
        Playbook.from_text('[[steps]]\naction = "maintenance"\n', source="p.toml")
    assert str(raised.value) == (
        'p.toml: [playbook]: missing: add [playbook] with name = "..." and title = "..."'
    )


def test_positions_of_keys_and_values() -> None:
    """The scanner finds keys and values in every TOML form: dotted keys, quoted keys, arrays
    of tables and their sub-tables, inline tables, multi-line strings, dates and comments."""
    text = (
        "# comment\n"
        "[a]\n"
        'x = """one\ntwo"""  # trailing, so [[t]] is on line 5\n'
        "[[t]]\n"
        "k.'q k' = 1979-05-27 07:32:00\n"
        "[[t]]\n"
        'v = [1, {y = "]"}, [2]]  # ]\n'
        "[t.sub]\n"
        "z = '''a'''''\n"
    )
    found = positions(text)
    assert found.keys[("a", "x")] == (3, 1)
    assert found.values[("a", "x")] == (3, 5)
    assert found.keys[("t", 0)] == (5, 1)
    assert found.keys[("t", 0, "k", "q k")] == (6, 1)
    assert found.values[("t", 0, "k", "q k")] == (6, 11)
    assert found.keys[("t", 1)] == (7, 1)
    assert found.values[("t", 1, "v", 1, "y")] == (8, 14)
    assert found.values[("t", 1, "v", 2, 0)] == (8, 21)
    assert found.keys[("t", 1, "sub")] == (9, 1)
    assert found.values[("t", 1, "sub", "z")] == (10, 5)
    # A key that is not written is placed at its nearest written parent.
    assert found.of(("t", 1, "sub", "missing")) == (9, 1)
    assert found.of(("nowhere",)) is None
