"""Notice drafts: obligations + an incident's details -> rendered, hashed e-mails and forms.

Templates live in `magento_ir/notify/templates/` (Jinja2 in a sandboxed, autoescaping
environment). A rule's template id (`us-ca-individuals`, `eu-gdpr-art33-authority`) maps to one
*kind* of notice (`template_kind`); customer and employee notices are translated through the
string catalogs in `templates/locales/`.

Every value a template uses comes from the obligation, the facts or the details a person gives.
Rendering never guesses: a value that is missing is shown as `[[missing: name]]` and named in
`Draft.unfilled`, and such a draft cannot be approved (`UnfilledPlaceholderError`). A draft's
identity for approvals is `Draft.sha256`, a hash over everything a recipient sees.

Errors::

    MagentoIRError
    └── DraftError                  unknown template id or locale, a template that fails to render
        └── UnfilledPlaceholderError    .placeholders: the values still missing
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from jinja2 import ChainableUndefined, FileSystemLoader, TemplateError, Undefined
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape
from pydantic import BaseModel, ConfigDict

from magento_ir._exceptions import MagentoIRError
from magento_ir.evidence import canonical_json
from magento_ir.notify.categories import CATEGORIES
from magento_ir.notify.engine import _covers

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from magento_ir.notify.engine import Facts, Obligation, Plan

__all__ = [
    "AUDIENCES",
    "DRAFT_RECORD",
    "KINDS",
    "LOCALES",
    "Audience",
    "Draft",
    "DraftError",
    "UnfilledPlaceholderError",
    "choose_locale",
    "load_details",
    "record_draft",
    "render_draft",
    "render_plan",
    "template_kind",
]

Audience = Literal["regulator", "customer", "employee", "internal"]

# kind -> (who reads it, the locales it is written in, its parts)
KINDS: dict[str, tuple[Audience, tuple[str, ...], tuple[str, ...]]] = {
    "gdpr-art33": ("regulator", ("en",), ("text/plain", "text/html")),
    "regulator-form": ("regulator", ("en",), ("application/json", "text/plain")),
    "card-brand-report": ("regulator", ("en",), ("text/plain", "text/html")),
    "individuals-notice": ("customer", ("en", "de", "fr", "es", "nl"), ("text/plain", "text/html")),
    "us-state-notice": ("customer", ("en", "de", "fr", "es", "nl"), ("text/plain", "text/html")),
    "employee-notice": ("employee", ("en", "de", "fr", "es", "nl"), ("text/plain", "text/html")),
    "executive-brief": ("internal", ("en",), ("text/plain", "text/html")),
}
AUDIENCES: tuple[Audience, ...] = ("regulator", "customer", "employee", "internal")
LOCALES = ("en", "de", "fr", "es", "nl")

# Template ids the rules name that the patterns below would place wrongly.
_EXACT_KINDS = {
    "eu-gdpr-art33-authority": "gdpr-art33",
    "gb-uk-gdpr-art33-ico": "gdpr-art33",
    "au-ndb-assessment": "executive-brief",
    "sg-pdpa-assessment": "executive-brief",
    "us-hipaa-media": "regulator-form",
    "ca-qc-law25-register": "executive-brief",
    "pci-dss-incident-response-plan": "executive-brief",
    "ca-bc-pipa-assessment": "executive-brief",
    # Names a notification policy may use for a kind.
    "sa-report": "gdpr-art33",
    "customer-notice": "individuals-notice",
}
_PATTERN_KINDS = (
    (re.compile(r"^(visa|mastercard)-"), "card-brand-report"),
    (re.compile(r"^us-.+-individuals$"), "us-state-notice"),
    (re.compile(r"-individuals$"), "individuals-notice"),
    # The record a US risk-of-harm exception must keep is an internal brief, not a notice.
    (re.compile(r"-keep-determination$"), "executive-brief"),
    # What is left of a country's rule goes to a regulator, AG or agency: a form.
    (re.compile(r"^[a-z]{2}-"), "regulator-form"),
)
DRAFT_RECORD = "notify.draft"
_MISSING_MARK = "[[missing: {}]]"
_missing: ContextVar[list[str]] = ContextVar("_missing")


class DraftError(MagentoIRError):
    """A draft cannot be made or used as asked; the message names what and how to fix it."""


class UnfilledPlaceholderError(DraftError):
    """The draft still shows placeholders no value filled; it cannot be approved or sent."""

    def __init__(self, template: str, placeholders: Iterable[str]) -> None:
        self.placeholders = tuple(placeholders)
        super().__init__(
            f"the draft of {template} has unfilled placeholders: {', '.join(self.placeholders)}; "
            "add them to the details file and render the draft again"
        )


def template_kind(template: str) -> str:
    """The kind of notice a rule's template id stands for, e.g. us-ca-individuals ->
    us-state-notice. A kind's own name maps to itself."""
    if template in KINDS:
        return template
    if template in _EXACT_KINDS:
        return _EXACT_KINDS[template]
    for pattern, kind in _PATTERN_KINDS:
        if pattern.search(template):
            return kind
    raise DraftError(
        f"no notice template for {template!r}: use one of {', '.join(KINDS)} or a rule's "
        "template id (magento_ir/notify/drafts.py maps them)"
    )


def choose_locale(*candidates: str | None, kind: str = "individuals-notice") -> str:
    """The first candidate (recipient's, then the store's: 'de_DE', 'fr-CA', 'nl') the kind is
    written in; English otherwise."""
    supported = KINDS[template_kind(kind)][1]
    for candidate in candidates:
        if candidate:
            language = re.split(r"[_-]", candidate.strip(), maxsplit=1)[0].lower()
            if language in supported:
                return language
    return "en"


class _Missing(ChainableUndefined):
    """A value no one gave: recorded for `Draft.unfilled`, shown as a visible marker."""

    __slots__ = ()

    def _note(self) -> str:
        name = self._undefined_name or "value"
        found = _missing.get(None)
        if found is not None and name not in found:
            found.append(name)
        return name

    def __getattr__(self, name: str) -> Any:  # noqa: ANN401 - jinja's signature
        if name.startswith("__"):
            raise AttributeError(name)
        # Name the whole path (contact.email), not just the first missing part.
        return type(self)(name=f"{self._undefined_name or 'value'}.{name}")

    __getitem__ = __getattr__

    def __str__(self) -> str:
        return _MISSING_MARK.format(self._note())

    def __iter__(self) -> Any:  # noqa: ANN401 - jinja's signature
        self._note()
        return iter(())

    def __bool__(self) -> bool:
        self._note()
        return False

    def __len__(self) -> int:
        self._note()
        return 0


class _Node(dict[str, Any]):
    """A mapping that knows its dotted path, so a missing key is named in full."""

    def __init__(self, path: str, items: Mapping[str, Any]) -> None:
        super().__init__(items)
        self.path = path


class _Environment(SandboxedEnvironment):
    def getattr(self, obj: Any, attribute: str) -> Any:  # noqa: ANN401 - jinja's signature
        if isinstance(obj, _Node):
            if attribute in obj:
                return obj[attribute]
            return self.undefined(name=f"{obj.path}.{attribute}")
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:  # noqa: ANN401 - jinja's signature
        if isinstance(obj, _Node) and isinstance(argument, str):
            return self.getattr(obj, argument)
        return super().getitem(obj, argument)


def _templates_dir() -> Path:
    return Path(str(resources.files("magento_ir.notify") / "templates"))


def _fmt(text: object, **values: object) -> str:
    """Catalog text with {name} fields filled; a missing value shows (and counts) as missing."""
    return str(text).format_map({k: str(v) for k, v in values.items()})


def _paragraphs(text: object) -> Markup:
    """Plain text to HTML paragraphs (blank lines separate them), escaped."""
    chunks = [c.strip() for c in re.split(r"\n\s*\n", str(text)) if c.strip()]
    return Markup("\n").join(Markup("<p>{}</p>").format(escape(c)) for c in chunks)


def _host(url: object) -> str:
    return urlsplit(str(url)).hostname or str(url)


@cache
def _environment() -> _Environment:
    environment = _Environment(
        loader=FileSystemLoader(_templates_dir()),
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
        undefined=_Missing,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(fmt=_fmt, paragraphs=_paragraphs, host=_host, tojson=_tojson)
    return environment


def _tojson(value: object) -> str:
    def plain(item: object) -> object:
        if isinstance(item, Undefined):
            return str(item)
        if isinstance(item, (date, datetime)):
            return item.isoformat()
        if isinstance(item, dict):
            return {str(k): plain(v) for k, v in item.items()}
        if isinstance(item, (list, tuple)):
            return [plain(v) for v in item]
        return item

    return json.dumps(plain(value), ensure_ascii=False, indent=2, sort_keys=True)


@cache
def _catalog(locale: str) -> dict[str, Any]:
    path = _templates_dir() / "locales" / f"{locale}.toml"
    with path.open("rb") as handle:
        return tomllib.load(handle)


def load_details(path: str | Path) -> dict[str, Any]:
    """A details file (TOML: organisation, contact, incident, ...; docs/notifications.md)."""
    try:
        with Path(path).open("rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise DraftError(f"cannot read the details file {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise DraftError(f"{path}: not valid TOML: {error}") from None


def _localised(value: Any, locale: str, path: str) -> Any:  # noqa: ANN401 - any TOML value
    """Resolve {en = "...", de = "..."} tables to the locale's text, and wrap tables as _Node."""
    if isinstance(value, dict):
        if value and set(value) <= set(LOCALES):
            if locale in value:
                return _localised(value[locale], locale, path)
            return _Missing(name=f"{path} ({locale})")
        return _Node(path, {k: _localised(v, locale, f"{path}.{k}") for k, v in value.items()})
    if isinstance(value, list):
        return [_localised(v, locale, path) for v in value]
    return value


def _format_date(value: object, catalog: Mapping[str, Any]) -> str:
    if isinstance(value, Undefined):
        return str(value)
    if isinstance(value, datetime):
        value = value.astimezone(UTC).date()
    if isinstance(value, date):
        common = catalog["common"]
        return str(common["date_format"]).format(
            day=value.day, month=common["months"][value.month - 1], year=value.year
        )
    return str(value)


def _advice(categories: list[str], kind: str) -> list[str]:
    """The catalog's advice paragraphs that fit the data involved; phishing advice always."""
    groups = {c.split(".", 1)[0] for c in categories}
    keys: list[str] = [
        k for k in ("payment_card", "account_credentials", "bank_account") if k in groups
    ]
    if "government_id" in groups:
        keys.append("government_id")
        if kind == "us-state-notice":
            keys.append("credit_freeze")
    return [*keys, "phishing"]


_PHASES = {
    "initial": "initial notification",
    "follow-up": "follow-up notification",
    "final": "final notification",
}


def _phase(details: Mapping[str, Any]) -> dict[str, Any]:
    """Art 33(4) phases: `[report] phase = "initial" | "follow-up" | "final"`, `number = 2`."""
    report = details.get("report", {})
    phase = report.get("phase", "initial")
    if phase not in _PHASES:
        raise DraftError(f"report.phase {phase!r} must be one of {', '.join(_PHASES)}")
    label = _PHASES[phase]
    if phase == "follow-up" and "number" in report:
        label = f"{label} no. {report['number']}"
    return {"phase": phase, "phase_label": label}


@cache
def _shipped_jurisdictions() -> dict[str, list[str]]:
    from magento_ir.notify.rules import shipped_rules  # noqa: PLC0415 - only when drafting

    return {rule.rule.id: list(rule.rule.jurisdictions) for rule in shipped_rules()}


def _categories(facts: Facts | None, obligation: Obligation | None, kind: str) -> list[str]:
    """The data categories of the people this notice is about: the obligation's jurisdiction
    (or its rule's), and only employees for an employee notice."""
    if facts is None:
        return []
    groups = list(facts.affected)
    if kind == "employee-notice":
        groups = [g for g in groups if g.employees]
    elif obligation is not None and obligation.jurisdiction is not None:
        groups = [g for g in groups if g.jurisdiction == obligation.jurisdiction]
    elif obligation is not None and obligation.rule_id in _shipped_jurisdictions():
        covered = _shipped_jurisdictions()[obligation.rule_id]
        groups = [g for g in groups if _covers(covered, g.jurisdiction)]
    return sorted({category for group in groups for category in group.categories})


class Draft(BaseModel):
    """One rendered notice: its parts by media type, and what it was made from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    template: str
    kind: str
    audience: Audience
    locale: str
    subject: str
    # media type -> content: text/plain and text/html, or application/json and text/plain
    parts: dict[str, str]
    obligation_key: str | None = None
    recipient_name: str = ""
    unfilled: tuple[str, ...] = ()
    rendered_at: datetime

    @property
    def draft_id(self) -> str:
        """Stable across re-renders: what it answers (the obligation, or the template) + locale."""
        return f"{self.obligation_key or self.template}:{self.locale}"

    @property
    def file_stem(self) -> str:
        return re.sub(r"[^A-Za-z0-9.-]+", "_", self.draft_id)

    @property
    def sha256(self) -> str:
        """SHA-256 over everything a recipient sees and what it answers; approvals name it."""
        seen = {
            "template": self.template,
            "locale": self.locale,
            "obligation_key": self.obligation_key,
            "subject": self.subject,
            "parts": self.parts,
        }
        return hashlib.sha256(canonical_json(seen).encode()).hexdigest()

    def require_complete(self) -> None:
        """Raise UnfilledPlaceholderError if any placeholder is still unfilled."""
        if self.unfilled:
            raise UnfilledPlaceholderError(self.template, self.unfilled)

    def save(self, folder: str | Path) -> Path:
        """Write `<folder>/<draft id>.draft.json`; an edit changes the hash and voids approvals."""
        target = Path(folder) / f"{self.file_stem}.draft.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.model_dump_json(indent=2) + "\n", encoding="utf-8")
        return target

    @classmethod
    def load(cls, path: str | Path) -> Draft:
        try:
            return cls.model_validate_json(Path(path).read_bytes())
        except OSError as error:
            raise DraftError(f"cannot read the draft {path}: {error.strerror}") from None
        except ValueError as error:
            raise DraftError(f"{path} is not a draft file: {error}") from None


def render_draft(
    template: str,
    *,
    details: Mapping[str, Any],
    obligation: Obligation | None = None,
    facts: Facts | None = None,
    plan: Plan | None = None,
    locale: str = "en",
    now: datetime | None = None,
    strict: bool = False,
) -> Draft:
    """Render the notice `template` (a rule's template id or a kind) for `obligation`.

    `details` is the incident's details file (load_details); `facts` gives the data categories
    involved; `plan` the obligations an executive brief lists. `now` is the notice's date
    (default: the current time). With `strict=True` an unfilled placeholder raises at once.
    """
    kind = template_kind(template)
    audience, locales, parts = KINDS[kind]
    if locale not in locales:
        raise DraftError(
            f"{kind} is written in {', '.join(locales)}, not {locale!r}: "
            "choose_locale() picks one the recipient or the store uses"
        )
    moment = now or datetime.now(UTC)
    catalog = _catalog(locale)
    context: dict[str, Any] = {
        name: _localised(value, locale, name) for name, value in details.items()
    }
    context.setdefault("report", _Node("report", {}))
    categories = _categories(facts, obligation, kind)
    if "categories" in details:
        categories = list(details["categories"])
    context.update(
        t=_Node("t", catalog),
        lang=locale,
        kind=kind,
        template_id=template,
        notice_date=_format_date(moment, catalog),
        notice_iso=moment.isoformat(),
        categories=categories,
        obligation=_localised(obligation.model_dump(mode="json"), locale, "obligation")
        if obligation
        else _Missing(name="obligation"),
        affected=obligation.affected if obligation else _Missing(name="affected"),
        obligations=[o.model_dump(mode="json") for o in plan.obligations] if plan else [],
        questions=[q.model_dump(mode="json") for q in plan.questions] if plan else [],
        card_schemes=sorted(facts.card_schemes) if facts else [],
        late=bool(obligation and obligation.deadline and obligation.deadline < moment),
        date=lambda value: _format_date(value, catalog),
        advice=_advice(categories, kind),
        category_text="; ".join(CATEGORIES.get(c, c) for c in categories)
        or _Missing(name="categories"),
        total_affected=sum(g.count for g in facts.affected) if facts else _Missing(name="facts"),
        **_phase(details),
    )
    environment = _environment()
    found: list[str] = []
    token = _missing.set(found)
    try:
        subject = environment.get_template(f"{kind}.subject.j2").render(context).strip()
        context["subject"] = subject
        rendered = {
            part: environment.get_template(f"{kind}.{_SUFFIX[part]}.j2").render(context)
            for part in parts
        }
    except TemplateError as error:
        raise DraftError(f"the {kind} template failed to render: {error}") from None
    finally:
        _missing.reset(token)
    if "application/json" in rendered:
        json.loads(rendered["application/json"])  # a form must stay valid JSON
    draft = Draft(
        template=template,
        kind=kind,
        audience=audience,
        locale=locale,
        subject=subject,
        parts=rendered,
        obligation_key=obligation.key if obligation else None,
        recipient_name=obligation.recipient_name if obligation else "",
        unfilled=tuple(found),
        rendered_at=moment,
    )
    if strict:
        draft.require_complete()
    return draft


_SUFFIX = {"text/plain": "txt", "text/html": "html", "application/json": "json"}


def record_draft(log: Any, draft: Draft) -> None:  # noqa: ANN401 - EvidenceLog or Journal
    """Put the draft on the record (type `notify.draft`): what it is, its hash and its gaps;
    the parts themselves stay in the draft file (a customer notice is the same for thousands)."""
    log.append(
        DRAFT_RECORD,
        {
            "draft_id": draft.draft_id,
            "sha256": draft.sha256,
            "template": draft.template,
            "kind": draft.kind,
            "audience": draft.audience,
            "locale": draft.locale,
            "subject": draft.subject,
            "obligation_key": draft.obligation_key,
            "unfilled": list(draft.unfilled),
            "rendered_at": draft.rendered_at.isoformat(),
        },
    )


def render_plan(
    result: Plan,
    facts: Facts,
    *,
    details: Mapping[str, Any],
    locales: Iterable[str | None] = (),
    now: datetime | None = None,
) -> list[Draft]:
    """Every draft a plan needs: one per obligation and language (customer and employee notices
    in each of `locales` they are written in, e.g. the store's and the recipients'; English if
    none fits), an employee notice when employees are affected, and the executive brief (unless
    an obligation already asked for one)."""
    wanted = [candidate for candidate in locales if candidate]
    moment = now or datetime.now(UTC)

    def languages(kind: str) -> list[str]:
        return sorted({choose_locale(candidate, kind=kind) for candidate in wanted} or {"en"})

    def one(template: str, obligation: Obligation | None = None, language: str = "en") -> Draft:
        return render_draft(
            template, details=details, obligation=obligation, facts=facts, plan=result,
            locale=language, now=moment,
        )  # fmt: skip

    drafts = [
        one(obligation.template, obligation, language)
        for obligation in result.obligations
        for language in languages(template_kind(obligation.template))
    ]
    if any(group.employees for group in facts.affected):
        drafts += [
            one("employee-notice", None, language) for language in languages("employee-notice")
        ]
    if not any(draft.kind == "executive-brief" for draft in drafts):
        drafts.append(one("executive-brief"))
    return drafts
