"""Skimmer and backdoor scan over what an attacker changes through the admin or the database.

The engine is pure: `scan(targets, allow, rules, yara)` turns field contents into `Finding`s
(no I/O, no clock). `collect_targets(client)` reads the fields from a store: CMS blocks and
pages over core REST, the script-bearing configuration paths through the companion module's
evidence read (`GET /V1/incident-response/config`), widget instances, layout updates and
e-mail templates through its content read (`GET /V1/incident-response/content`: no core route
reads them), the store's own URLs from `GET /V1/store/storeConfigs`. What could not be read
(no module, or a caller without the module's resource) is named in `CollectedTargets.notes`.

Checks: external script, iframe and in-script URLs whose host is not the store's own nor on
the allow-list; a store URL (`web/*/base_*url`) moved to a foreign host; WebSockets to a
foreign host; obfuscation (eval/Function/atob/fromCharCode chains, long high-entropy string
literals in script code); the project's rule set (detect/rules/skimmers.toml) and any user
rule files; a user's YARA rules (optional `yara` extra).
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
import math
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from magento_ir._core.search_criteria import SearchCriteria
from magento_ir._exceptions import AuthenticationError, ConfigurationError, NotFoundError
from magento_ir.detect.rules import RuleSet, Severity, shipped_rule_set

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    from magento_ir._async import AsyncMagentoClient
    from magento_ir.models.incident_response import StoreContent, StoreContentType

__all__ = [
    "SCRIPT_CONFIG_PATHS",
    "AllowList",
    "CollectedTargets",
    "Finding",
    "Target",
    "YaraRules",
    "collect_targets",
    "content_targets",
    "load_allow_list",
    "load_yara",
    "magecart_inputs",
    "scan",
]

# Config paths whose values Magento prints into storefront pages (magento-api.md §9.7), read
# through the module's evidence allow-list; `sales_email/*/template` names e-mail templates.
SCRIPT_CONFIG_PATHS = (
    "design/head/*",
    "design/footer/*",
    "design/header/*",
    "web/unsecure/*",
    "web/secure/*",
    "sales_email/*/template",
)
_STORE_URL_PATH = re.compile(r"^web/(un)?secure/base_(link_|static_|media_)?url$")
_SNIPPET = 160
_ENTROPY_MIN_LENGTH = 80
_ENTROPY_BITS = 4.6  # base64 and hex blobs sit near 6 and 4; English and code near 4.2
_FROM_CHAR_CODE_ARGS = 12
_SEVERITY_ORDER = {"low": 0, "medium": 1, "high": 2}

_SCRIPT_BLOCK = re.compile(r"<script\b([^>]*)>(.*?)(?:</script\s*>|$)", re.IGNORECASE | re.DOTALL)
_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*("[^"]*"|'[^']*')""", re.IGNORECASE)
_JS_URL = re.compile(r"""javascript:[^"'<>]*""", re.IGNORECASE)
_SRC_TAG = re.compile(
    r"""<(script|iframe|embed|object|img|link)\b[^>]*?\s(src|href|data)\s*=\s*["']?([^"'\s>]+)""",
    re.IGNORECASE,
)
_REL_SCRIPT = re.compile(
    r"""\brel\s*=\s*["']?(preload|modulepreload|prefetch|import)""", re.IGNORECASE
)
_URL_IN_CODE = re.compile(
    r"""(?:(?:https?|wss?):)?//[a-z0-9][a-z0-9.-]*[a-z0-9](?::\d+)?""", re.IGNORECASE
)
_WEBSOCKET = re.compile(r"""new\s+WebSocket\s*\(\s*(["'`]?)([^"'`)\s]*)""", re.IGNORECASE)
_EVAL_SINK = re.compile(r"""\b(eval|Function|setTimeout|setInterval)\s*\(""", re.IGNORECASE)
_DECODER = re.compile(r"""\b(atob|unescape|decodeURIComponent|fromCharCode)\s*\(""", re.IGNORECASE)
_FROM_CHAR_CODE = re.compile(r"""fromCharCode\s*\(([\d\s,x+a-f-]+)\)""", re.IGNORECASE)
_STRING_LITERAL = re.compile(rf"""(["'`])([^"'`\\\s]{{{_ENTROPY_MIN_LENGTH},}})\1""")
_HEX_ESCAPES = re.compile(r"""(\\x[0-9a-f]{2}){16,}""", re.IGNORECASE)
_HOST_LABEL = re.compile(r"^[a-z0-9*]([a-z0-9.*-]*[a-z0-9])?$")


@dataclass(frozen=True, slots=True)
class Target:
    """One field's content: `entity_type` (cms_block, cms_page, config, widget_instance,
    layout_update, email_template), its id and field."""

    entity_type: str
    entity_id: str
    field: str
    content: str
    identifier: str | None = None
    # Script-only fields (raw JS) are all script context; HTML fields only their scripts.
    script: bool = False


@dataclass(frozen=True, slots=True)
class Finding:
    """Why a field looks like a skimmer or backdoor, with the offending snippet (bounded)."""

    rule: str
    title: str
    severity: Severity
    entity_type: str
    entity_id: str
    field: str
    snippet: str
    why: str
    source: str
    identifier: str | None = None
    host: str | None = None

    @property
    def fingerprint(self) -> str:
        """Stable across passes: the same snippet in the same field is the same finding."""
        parts = (self.rule, self.entity_type, self.entity_id, self.field, self.snippet)
        raw = "\x00".join(parts)
        return hashlib.sha256(raw.encode()).hexdigest()[:16]

    @property
    def entity(self) -> str:
        label = f" ({self.identifier})" if self.identifier else ""
        return f"{self.entity_type} {self.entity_id}{label}"

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "title": self.title,
            "severity": self.severity,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "identifier": self.identifier,
            "field": self.field,
            "snippet": self.snippet,
            "why": self.why,
            "host": self.host,
            "source": self.source,
            "fingerprint": self.fingerprint,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        return cls(
            rule=str(data["rule"]),
            title=str(data["title"]),
            severity=data["severity"],
            entity_type=str(data["entity_type"]),
            entity_id=str(data["entity_id"]),
            field=str(data["field"]),
            snippet=str(data["snippet"]),
            why=str(data["why"]),
            source=str(data["source"]),
            identifier=data.get("identifier"),
            host=data.get("host"),
        )


def at_least(findings: Iterable[Finding], severity: Severity) -> list[Finding]:
    floor = _SEVERITY_ORDER[severity]
    return [finding for finding in findings if _SEVERITY_ORDER[finding.severity] >= floor]


@dataclass(frozen=True, slots=True)
class AllowList:
    """Hosts a store may load scripts from: its own, plus `hosts` (`*.example.com` for any
    subdomain of example.com)."""

    hosts: tuple[str, ...] = ()
    store_hosts: tuple[str, ...] = ()

    def with_store(self, *urls: str | None) -> AllowList:
        hosts = {urlsplit(url).hostname for url in urls if url}
        return AllowList(self.hosts, (*self.store_hosts, *sorted(h for h in hosts if h)))

    def allows(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        for allowed in (*self.store_hosts, *self.hosts):
            pattern = allowed.lower()
            if host == pattern or (
                pattern.startswith("*.") and (host.endswith(pattern[1:]) or host == pattern[2:])
            ):
                return True
        return False


def load_allow_list(path: Path) -> AllowList:
    """`[allow] hosts = ["www.googletagmanager.com", "*.braintreegateway.com"]` from TOML."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigurationError(f"{path}: cannot read the allow-list: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{path}: not valid TOML: {error}") from None
    allow = data.get("allow")
    hosts = allow.get("hosts") if isinstance(allow, dict) else None
    if set(data) - {"allow"} or not isinstance(hosts, list):
        raise ConfigurationError(
            f'{path}: expected only an [allow] table with hosts = ["cdn.example.com", ...]'
        )
    bad = [host for host in hosts if not isinstance(host, str) or not _HOST_LABEL.match(host)]
    if bad:
        raise ConfigurationError(
            f"{path}: allow.hosts: {bad[0]!r} is not a host name (no scheme, path or port; "
            "'*.example.com' for subdomains)"
        )
    return AllowList(tuple(hosts))


class YaraRules(Protocol):
    """What the scan needs of compiled YARA rules (yara-python's `yara.Rules`)."""

    def match(self, *, data: bytes) -> Any: ...  # noqa: ANN401 - yara-python is untyped


def load_yara(path: Path) -> YaraRules:
    """Compile a user's YARA rules file (needs the `yara` extra: yara-python)."""
    try:
        import yara  # type: ignore[import-not-found, unused-ignore]  # noqa: PLC0415
    except ImportError:
        raise ConfigurationError(
            'YARA rules need yara-python: pip install "magento-ir[yara]"'
        ) from None
    try:
        rules: YaraRules = yara.compile(filepath=str(path))
    except yara.Error as error:
        raise ConfigurationError(f"{path}: YARA rules do not compile: {error}") from None
    return rules


# --- the pure engine --------------------------------------------------------------------------


def _snippet(text: str, start: int, end: int) -> str:
    """The match with a little context either side, at most _SNIPPET characters, one line."""
    pad = max(0, (_SNIPPET - (end - start)) // 2)
    left, right = max(0, start - pad), min(len(text), end + pad)
    piece = text[left:right][:_SNIPPET]
    piece = " ".join(piece.split())
    return ("…" if left else "") + piece + ("…" if right < len(text) else "")


def _script_contexts(target: Target) -> list[tuple[int, str]]:
    """(offset, code) of every piece of script in the field."""
    if target.script:
        return [(0, target.content)]
    found = [(m.start(2), m.group(2)) for m in _SCRIPT_BLOCK.finditer(target.content)]
    found += [
        (m.start(1), html.unescape(m.group(1)[1:-1])) for m in _HANDLER.finditer(target.content)
    ]
    found += [(m.start(), m.group()) for m in _JS_URL.finditer(target.content)]
    return [(offset, code) for offset, code in found if code.strip()]


def _host(url: str) -> str | None:
    if url.startswith("{{") or ("://" not in url and not url.startswith("//")):
        return None  # relative, or a Magento directive such as {{MEDIA_URL}}
    try:
        return urlsplit(url if "://" in url else "https:" + url).hostname
    except ValueError:
        return None


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


class _Scan:
    def __init__(self, target: Target, allow: AllowList) -> None:
        self.target = target
        self.allow = allow
        self.findings: list[Finding] = []

    def add(  # noqa: PLR0917 - one finding's facts
        self,
        rule: str,
        title: str,
        severity: Severity,
        at: tuple[int, int],
        why: str,
        source: str = "builtin",
        host: str | None = None,
        text: str | None = None,
    ) -> None:
        target = self.target
        body = target.content if text is None else text
        self.findings.append(
            Finding(
                rule=rule,
                title=title,
                severity=severity,
                entity_type=target.entity_type,
                entity_id=target.entity_id,
                identifier=target.identifier,
                field=target.field,
                snippet=_snippet(body, *at),
                why=why,
                source=source,
                host=host,
            )
        )

    def external_sources(self) -> None:
        content = self.target.content
        for match in _SRC_TAG.finditer(content):
            tag = match.group(1).lower()
            if tag == "img" or (tag == "link" and not _REL_SCRIPT.search(match.group())):
                continue  # images and style sheets run no code
            host = _host(html.unescape(match.group(3)))
            if host is None or self.allow.allows(host):
                continue
            self.add(
                "external-script-host",
                f"<{tag}> loads code from a host not on the allow-list",
                "high",
                match.span(),
                f"{host} is neither the store's own host nor on the allow-list: a script or "
                "frame from it runs with the page's access to the checkout form",
                host=host,
            )

    def code_urls(self, offset: int, code: str) -> None:
        reported: set[str] = {f.host for f in self.findings if f.host}
        for match in _URL_IN_CODE.finditer(code):
            host = _host(match.group())
            if host is None or host in reported or self.allow.allows(host):
                continue
            reported.add(host)
            self.add(
                "script-foreign-url",
                "Script code names a host not on the allow-list",
                "high",
                (offset + match.start(), offset + match.end()),
                f"inline code refers to {host}, which is neither the store's own host nor on "
                "the allow-list: skimmers load their payload or send card data there",
                host=host,
            )

    def websockets(self, offset: int, code: str) -> None:
        for match in _WEBSOCKET.finditer(code):
            quoted, address = match.group(1), match.group(2)
            span = (offset + match.start(), offset + match.end())
            host = _host(address) if quoted else None
            if quoted and host is not None and self.allow.allows(host):
                continue
            if quoted and host is None:
                continue  # a relative or unparsable literal: nothing foreign named
            self.add(
                "websocket-exfiltration",
                "WebSocket opened from store content",
                "high" if host else "medium",
                span,
                f"a WebSocket to {host}, not on the allow-list, can stream form input out "
                "without any request a proxy would show"
                if host
                else "a WebSocket to a computed address: skimmers build the address at run time "
                "to hide it",
                host=host,
            )

    def obfuscation(self, offset: int, code: str) -> None:
        sink, decoder = _EVAL_SINK.search(code), _DECODER.search(code)
        if sink and decoder:
            start = min(sink.start(), decoder.start())
            self.add(
                "obfuscated-eval",
                f"{sink.group(1)}() of decoded text ({decoder.group(1)})",
                "high",
                (offset + start, offset + max(sink.end(), decoder.end())),
                "decoding text and running it as code hides what the script does; store "
                "scripts have no reason to",
            )
        for match in _FROM_CHAR_CODE.finditer(code):
            if match.group(1).count(",") + 1 >= _FROM_CHAR_CODE_ARGS:
                self.add(
                    "fromcharcode-chain",
                    "Long String.fromCharCode chain",
                    "medium",
                    (offset + match.start(), offset + match.end()),
                    "text spelt out as character codes hides URLs and field names from review",
                )
                break
        for match in _HEX_ESCAPES.finditer(code):
            self.add(
                "hex-escaped-string",
                "Long \\x-escaped string",
                "medium",
                (offset + match.start(), offset + match.end()),
                "a string written as \\x escapes hides its text from review",
            )
            break
        for match in _STRING_LITERAL.finditer(code):
            literal = match.group(2)
            if literal.startswith(("http", "//", "data:image")):
                continue
            bits = _entropy(literal)
            if bits >= _ENTROPY_BITS:
                self.add(
                    "high-entropy-string",
                    "Long high-entropy string in script code",
                    "medium",
                    (offset + match.start(), offset + match.end()),
                    f"a {len(literal)}-character literal with {bits:.1f} bits of entropy per "
                    "character is an encoded payload, not text or code",
                )
                break

    def pattern_rules(self, rules: RuleSet, contexts: list[tuple[int, str]]) -> None:
        for rule in rules.rules:
            patterns = rule.compiled()
            pieces = contexts if rule.context == "script" else [(0, self.target.content)]
            for offset, code in pieces:
                first = patterns[0].search(code)
                if first and all(pattern.search(code) for pattern in patterns[1:]):
                    self.add(
                        rule.id,
                        rule.title,
                        rule.severity,
                        (offset + first.start(), offset + first.end()),
                        rule.why,
                        source=rules.source,
                    )
                    break

    def yara(self, rules: YaraRules, source: str) -> None:
        data = self.target.content.encode()
        for match in rules.match(data=data):
            spans = [
                (instance.offset, instance.offset + len(instance.matched_data))
                for string in getattr(match, "strings", ())
                for instance in getattr(string, "instances", ())
            ]
            start, end = spans[0] if spans else (0, 0)
            # Offsets are bytes: map back onto the text for the snippet.
            text = data[:start].decode(errors="ignore")
            piece = data[start:end].decode(errors="ignore")
            meta = getattr(match, "meta", {}) or {}
            severity = meta.get("severity", "high")
            self.add(
                f"yara:{match.rule}",
                str(meta.get("description", f"YARA rule {match.rule}")),
                severity if severity in _SEVERITY_ORDER else "high",
                (len(text), len(text) + len(piece)),
                str(meta.get("why", f"matches the YARA rule {match.rule} of {source}")),
                source=source,
            )


def _store_url(target: Target, allow: AllowList, scan: _Scan) -> None:
    """A store URL moved to a foreign host serves every static script from there."""
    if target.entity_type != "config":
        return
    path = target.entity_id.split("@", 1)[0]
    if not _STORE_URL_PATH.match(path):
        return
    host = _host(target.content.strip())
    if host is not None and not allow.allows(host):
        scan.add(
            "store-url-foreign-host",
            "A store URL points to a host not on the allow-list",
            "high",
            (0, len(target.content)),
            f"{path} sends shoppers' browsers to {host} for pages, scripts or media",
            host=host,
        )


def scan(
    targets: Iterable[Target],
    allow: AllowList,
    rules: Sequence[RuleSet] | None = None,
    yara: Sequence[tuple[YaraRules, str]] = (),
) -> list[Finding]:
    """Findings over `targets` (pure). `rules` default to the project's shipped rule set;
    `yara` is (compiled rules, file name) pairs."""
    rule_sets = (shipped_rule_set(),) if rules is None else tuple(rules)
    findings: list[Finding] = []
    for target in targets:
        if not target.content:
            continue
        one = _Scan(target, allow)
        _store_url(target, allow, one)
        if not _STORE_URL_PATH.match(target.entity_id.split("@", 1)[0]):
            one.external_sources()
        contexts = _script_contexts(target)
        for offset, code in contexts:
            one.code_urls(offset, code)
            one.websockets(offset, code)
            one.obfuscation(offset, code)
        for rule_set in rule_sets:
            one.pattern_rules(rule_set, contexts)
        for compiled, source in yara:
            one.yara(compiled, source)
        findings.extend(one.findings)
    return findings


def magecart_inputs(findings: Iterable[Finding]) -> dict[str, Any]:
    """The magecart playbook's inputs from findings: the CMS blocks to disable, plus what the
    playbook cannot clean itself (pages, config paths, widget instances, layout updates and
    e-mail templates: no playbook action writes them, so they are cleaned in the admin)."""
    found = list(findings)

    def ids(entity_type: str) -> list[int]:
        return sorted({int(f.entity_id) for f in found if f.entity_type == entity_type})

    return {
        "skimmer_block_ids": ids("cms_block"),
        "cms_page_ids_to_clean": ids("cms_page"),
        "config_paths_to_clean": sorted({f.entity_id for f in found if f.entity_type == "config"}),
        "widget_instance_ids_to_clean": ids("widget_instance"),
        "layout_update_ids_to_clean": ids("layout_update"),
        "email_template_ids_to_clean": ids("email_template"),
    }


# --- reading the store ------------------------------------------------------------------------


@dataclass(slots=True)
class CollectedTargets:
    targets: list[Target] = field(default_factory=list)
    store_urls: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


_CONTENT_ACL = "MagentoIr_IncidentResponse::content_view"
_CONTENT_TYPES: tuple[StoreContentType, ...] = (
    "widget_instance",
    "layout_update",
    "email_template",
)


async def collect_targets(client: AsyncMagentoClient) -> CollectedTargets:
    """Every scannable field: CMS blocks and pages (core REST), script-bearing config, widget
    instances, layout updates and e-mail templates (module)."""
    collected = CollectedTargets()
    blocks, pages, configs = await asyncio.gather(
        _all(client.cms_blocks.iterate(SearchCriteria())),
        _all(client.cms_pages.iterate(SearchCriteria())),
        client.store.configs(),
    )
    for block in blocks:
        collected.targets.append(
            Target("cms_block", str(block.id), "content", block.content or "", block.identifier)
        )
    for page in pages:
        for name in ("content", "layout_update_xml", "custom_layout_update_xml"):
            collected.targets.append(
                Target("cms_page", str(page.id), name, getattr(page, name) or "", page.identifier)
            )
    for config in configs:
        collected.store_urls += [
            url for url in (config.base_url, config.secure_base_url) if isinstance(url, str)
        ]
    try:
        rows = await client.incident_response.config(list(SCRIPT_CONFIG_PATHS))
    except NotFoundError:  # no module: core REST answers 'does not match any route'
        collected.notes.append(
            "design/* and web/* configuration not scanned, nor widget instances, layout updates "
            "and e-mail templates: reading them needs the companion module (docs/module.md)"
        )
        return collected
    for row in rows.items:
        if row.value is None or row.locked:
            continue
        entity = f"{row.path}@{row.scope}:{row.scope_id}"
        collected.targets.append(Target("config", entity, "value", row.value))
    await _collect_content(client, collected)
    return collected


async def _collect_content(client: AsyncMagentoClient, collected: CollectedTargets) -> None:
    api = client.incident_response
    try:
        found = await asyncio.gather(*(_all(api.iterate_store_content(t)) for t in _CONTENT_TYPES))
    except NotFoundError:  # a module from before the content route
        collected.notes.append(
            "widget instances, layout updates and e-mail templates not scanned: the companion "
            "module is older than its content read (GET /V1/incident-response/content); "
            "upgrade it (docs/module.md)"
        )
        return
    except AuthenticationError as error:  # Magento answers 401 for a missing ACL resource too
        resources = (
            error.parameters.get("resources") if isinstance(error.parameters, dict) else None
        )
        if resources != _CONTENT_ACL:
            raise
        collected.notes.append(
            "widget instances, layout updates and e-mail templates not scanned: the caller lacks "
            f"the ACL resource {_CONTENT_ACL}"
        )
        return
    for items in found:
        for item in items:
            collected.targets += content_targets(item)


def content_targets(item: StoreContent) -> list[Target]:
    """The scannable fields of a widget instance, layout update or e-mail template.

    Widget parameters are Magento's JSON (which escapes `/` and `<`): each string option is its
    own field (`widget_parameters.<name>`), decoded. Layout XML is entity-decoded, as Magento
    decodes it before a block prints an argument: a widget's options reach its layout update
    HTML-escaped (`&lt;script`), and a `Magento\\Framework\\View\\Element\\Text` block prints
    its text raw.
    """
    targets = []
    entity_id = str(item.entity_id)
    for column in item.fields:
        if item.entity_type == "widget_instance" and column.name == "widget_parameters":
            for name, value in _json_strings(column.value, column.name):
                targets.append(Target(item.entity_type, entity_id, name, value, item.identifier))
            continue
        if item.entity_type == "widget_instance" and column.name == "instance_type":
            continue  # a class name, no content
        value = html.unescape(column.value) if item.entity_type == "layout_update" else column.value
        targets.append(Target(item.entity_type, entity_id, column.name, value, item.identifier))
    return targets


def _json_strings(text: str, prefix: str) -> list[tuple[str, str]]:
    """(dotted name, value) of every string in a JSON document; the text itself if not JSON."""
    try:
        document = json.loads(text)
    except ValueError:
        return [(prefix, text)]
    found: list[tuple[str, str]] = []

    def walk(value: object, name: str) -> None:
        if isinstance(value, str):
            found.append((name, value))
        elif isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, f"{name}.{key}")
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(inner, f"{name}.{index}")

    walk(document, prefix)
    return found


async def _all(pages: Any) -> list[Any]:  # noqa: ANN401 - an async iterator of models
    return [item async for item in pages]
