"""The skimmer scan over snippets: true and false positives from tests/detect/scan_cases.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from magento_ir._exceptions import ConfigurationError
from magento_ir.detect import AllowList, Finding, Target, load_allow_list, magecart_inputs, scan
from magento_ir.detect.rules import RuleError, parse_rule_set, shipped_rule_set
from magento_ir.detect.scan import load_yara

CASES = tomllib.loads((Path(__file__).with_name("scan_cases.toml")).read_text("utf-8"))["cases"]
STORE = AllowList().with_store("https://shop.example.com/")


def _target(case: dict[str, Any]) -> Target:
    return Target(
        case.get("entity_type", "cms_block"),
        case.get("entity_id", "7"),
        "value" if case.get("entity_type") == "config" else "content",
        case["content"],
        "case",
    )


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_snippet_table(case: dict[str, Any]) -> None:
    """Each snippet reports exactly the rules its row expects (none for the benign rows)."""
    allow = AllowList(tuple(case.get("allow", ())), STORE.store_hosts)
    found = scan([_target(case)], allow)
    assert sorted({finding.rule for finding in found}) == sorted(case["expect"]), [
        (finding.rule, finding.snippet) for finding in found
    ]


def test_finding_names_entity_field_snippet_and_why() -> None:
    """A finding says which entity and field, shows the offending snippet bounded, and why."""
    filler = "<p>" + "x" * 5000 + "</p>"
    content = filler + '<script src="https://evil.example.org/a.js"></script>' + filler
    (finding,) = scan([Target("cms_block", "12", "content", content, "promo")], STORE)
    assert (finding.entity_type, finding.entity_id, finding.field) == ("cms_block", "12", "content")
    assert finding.entity == "cms_block 12 (promo)"
    assert "evil.example.org/a.js" in finding.snippet
    assert len(finding.snippet) <= 162
    assert finding.host == "evil.example.org"
    assert "allow-list" in finding.why
    assert Finding.from_json(finding.to_json()) == finding
    assert finding.fingerprint == Finding.from_json(finding.to_json()).fingerprint


def test_magecart_inputs_from_findings() -> None:
    """Findings become the magecart playbook's inputs: block ids, plus pages and config paths."""
    skimmer = '<script src="https://evil.example.org/a.js"></script>'
    targets = [
        Target("cms_block", "5", "content", skimmer),
        Target("cms_block", "3", "content", skimmer + skimmer.replace("evil", "worse")),
        Target("cms_page", "2", "content", skimmer),
        Target("config", "design/head/includes@default:0", "value", skimmer),
        Target("cms_block", "9", "content", "<p>clean</p>"),
    ]
    assert magecart_inputs(scan(targets, STORE)) == {
        "skimmer_block_ids": [3, 5],
        "cms_page_ids_to_clean": [2],
        "config_paths_to_clean": ["design/head/includes@default:0"],
        "widget_instance_ids_to_clean": [],
        "layout_update_ids_to_clean": [],
        "email_template_ids_to_clean": [],
    }


def test_user_rules_replace_or_add_to_the_shipped_set() -> None:
    """A user's TOML regex rules fire with their own id, source and severity."""
    text = (Path(__file__).with_name("scan_cases.toml")).read_text("utf-8")
    assert text  # the table is there
    rules = parse_rule_set(
        """
[ruleset]
id = "0b8c3a4e-5d7f-4a51-9d9e-6f2b1c0e7a33"
title = "IOCs from our threat feed"
status = "test"
author = "soc"
date = 2026-12-01
last_reviewed = 2026-12-01
[[rules]]
id = "feed-ioc-1"
title = "Known skimmer gate"
severity = "medium"
pattern = 'gate\\.php\\?d='
why = "the gate path of a skimmer kit in our feed"
""",
        source="feed.toml",
    )
    content = '<img src="x" onerror="new Image().src=\'/gate.php?d=\'+1">'
    found = scan([Target("cms_block", "1", "content", content)], STORE, rules=[rules])
    assert [(f.rule, f.severity, f.source) for f in found] == [
        ("feed-ioc-1", "medium", "feed.toml")
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[ruleset", "not valid TOML"),
        (
            (
                '[ruleset]\nid = "nope"\ntitle = "t"\nstatus = "test"\nauthor = "a"\n'
                "date = 2026-01-01\nlast_reviewed = 2026-01-01\nrules = []\n"
            ),
            "r.toml:2: ruleset.id",
        ),
        (
            (
                '[ruleset]\nid = "0b8c3a4e-5d7f-4a51-9d9e-6f2b1c0e7a33"\ntitle = "t"\n'
                'status = "test"\nauthor = "a"\ndate = 2026-01-01\nlast_reviewed = 2026-01-01\n'
                '[[rules]]\nid = "one"\ntitle = "t"\nseverity = "high"\npattern = "("\nwhy = "w"\n'
            ),
            "r.toml:12: rules.0.pattern",
        ),
        (
            (
                '[ruleset]\nid = "0b8c3a4e-5d7f-4a51-9d9e-6f2b1c0e7a33"\ntitle = "t"\n'
                'status = "test"\nauthor = "a"\ndate = 2026-01-01\nlast_reviewed = 2026-01-01\n'
                '[[rules]]\nid = "one"\ntitle = "t"\nseverity = "high"\npattern = "a"\nwhy = "w"\n'
                "colour = 1\n"
            ),
            "rules.0.colour",
        ),
    ],
)
def test_bad_rule_files_name_file_line_and_key(text: str, message: str) -> None:
    """A broken rule file is refused with the file, line and key."""
    with pytest.raises(RuleError, match=message.replace(".", r"\.")):
        parse_rule_set(text, source="r.toml")


def test_shipped_rule_set_has_source_and_review_date() -> None:
    """The project's own rules carry their sources and a review date."""
    shipped = shipped_rule_set()
    assert shipped.ruleset.last_reviewed.year >= 2026
    assert shipped.ruleset.references
    assert all(rule.why and rule.references for rule in shipped.rules)


def test_allow_list_file(tmp_path: Path) -> None:
    """The allow-list file lists hosts; anything else is refused with the fix."""
    good = tmp_path / "allow.toml"
    good.write_text('[allow]\nhosts = ["www.googletagmanager.com", "*.example.net"]\n')
    allow = load_allow_list(good)
    assert allow.allows("www.googletagmanager.com")
    assert allow.allows("a.b.example.net")
    assert allow.allows("example.net")
    assert not allow.allows("example.net.evil.org")
    bad = tmp_path / "bad.toml"
    bad.write_text('[allow]\nhosts = ["https://cdn.example.com/x"]\n')
    with pytest.raises(ConfigurationError, match="is not a host name"):
        load_allow_list(bad)
    bad.write_text("hosts = []\n")
    with pytest.raises(ConfigurationError, match=r"\[allow\] table"):
        load_allow_list(bad)


def test_yara_rules_fire_with_their_meta(tmp_path: Path) -> None:
    """A user-supplied YARA rules file reports each matching rule, with snippet and meta."""
    pytest.importorskip("yara")
    rules = tmp_path / "iocs.yar"
    rules.write_text(
        'rule skimmer_gate { meta: description = "Skimmer gate path" severity = "medium" '
        'strings: $a = "/gate.php?d=" condition: $a }\n'
    )
    compiled = load_yara(rules)
    content = "<p>é</p><script>fetch('/gate.php?d='+x)</script>"
    found = scan(
        [Target("cms_block", "4", "content", content)],
        STORE,
        rules=[],
        yara=[(compiled, "iocs.yar")],
    )
    assert [(f.rule, f.title, f.severity, f.source) for f in found] == [
        ("yara:skimmer_gate", "Skimmer gate path", "medium", "iocs.yar")
    ]
    assert "/gate.php?d=" in found[0].snippet
    rules.write_text("rule broken {")
    with pytest.raises(ConfigurationError, match="do not compile"):
        load_yara(rules)
