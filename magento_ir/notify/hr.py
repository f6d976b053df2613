"""HR data exposure from a CSV or an HR-system export (issue 12, item 1).

Each row is an employee. Columns are mapped to what they are: the person's identity (`email`,
else `employee_id`), where they live (`country`, ISO 3166 alpha-2, and `state` for US, Canadian
and Australian employees), their postal address (kept only when a notice must be mailed), or a
data category of `magento_ir.notify.CATEGORIES` (a non-empty cell exposes that category for that
employee). Common header names of HR-system exports are known (`Work Email`, `State/Province`,
`SSN`, `Federal Withholding`, ...); any other column must be mapped or ignored explicitly, so an
unrecognised `SSN#` column can never be silently left out of the count.

Every problem is an `HRFileError` naming the file, line and column, and saying how to fix it.
"""

from __future__ import annotations

import csv
import io
import re
from typing import TYPE_CHECKING

from magento_ir._exceptions import InvalidArgumentError
from magento_ir.notify.categories import CATEGORIES
from magento_ir.notify.exposure import (
    Exposure,
    ExposureCounter,
    PostalAddress,
    RecipientKey,
    jurisdiction_of,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from pathlib import Path

__all__ = ["FIELDS", "HRFileError", "hr_exposure", "parse_columns", "read_hr_file"]

# What a column may be besides a data category; "ignore" leaves it out knowingly.
FIELDS = frozenset(
    {"email", "employee_id", "name", "country", "state", "street", "city", "postcode", "ignore"}
)
_SUBDIVIDED = frozenset({"US", "CA", "AU"})
# Normalised header -> field or category (lower case, runs of non-alphanumerics as one space).
_KNOWN: dict[str, str] = {
    **dict.fromkeys(
        ["email", "e mail", "work email", "personal email", "email address", "work e mail"],
        "email",
    ),
    **dict.fromkeys(
        ["employee id", "employee number", "employee no", "id", "worker id", "staff id"],
        "employee_id",
    ),
    **dict.fromkeys(
        ["name", "full name", "first name", "last name", "legal name", "preferred name"], "name"
    ),
    **dict.fromkeys(["country", "country code", "country id", "work country"], "country"),
    **dict.fromkeys(
        ["state", "region", "province", "state province", "region code", "state code"], "state"
    ),
    **dict.fromkeys(
        ["street", "address", "address line 1", "address line 2", "street address", "address 1"],
        "street",
    ),
    **dict.fromkeys(["city", "town"], "city"),
    **dict.fromkeys(["postcode", "zip", "zip code", "postal code"], "postcode"),
    **dict.fromkeys(["phone", "telephone", "mobile", "phone number"], "contact"),
    **dict.fromkeys(["ssn", "social security number", "social security"], "government_id.ssn"),
    **dict.fromkeys(
        ["tax id", "tin", "taxpayer id", "tax identification number", "national insurance number"],
        "government_id.tax_id",
    ),
    **dict.fromkeys(
        ["drivers license", "driver s license", "drivers licence", "driver s licence"],
        "government_id.drivers_licence",
    ),
    **dict.fromkeys(["passport", "passport number"], "government_id.passport"),
    **dict.fromkeys(
        ["salary", "payroll", "pay rate", "annual salary", "direct deposit", "wage"],
        "hr.payroll",
    ),
    **dict.fromkeys(
        [
            "withholding",
            "tax withheld",
            "federal withholding",
            "state withholding",
            "income tax withheld",
        ],
        "hr.tax_withholding",
    ),
    **dict.fromkeys(["benefits", "benefit plan", "benefits enrollment"], "hr.benefits"),
    **dict.fromkeys(["health plan", "medical plan", "health insurance"], "hr.health_plan"),
    **dict.fromkeys(["performance", "performance rating", "performance review"], "hr.performance"),
    **dict.fromkeys(["bank account", "iban", "account number", "routing number"], "bank_account"),
    **dict.fromkeys(["health", "medical", "medical notes"], "health"),
}
_CONTACT_FIELDS = frozenset({"email", "name", "street", "city", "postcode"})


class HRFileError(InvalidArgumentError):
    """A CSV or HR export that cannot be read; the message names the line and the column."""


def _normal(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", header.lower()).strip()


def _check_overrides(overrides: Mapping[str, str], headers: list[str], source: str) -> None:
    known_headers = {_normal(h) for h in headers}
    for name, meaning in overrides.items():
        if meaning not in FIELDS and meaning not in CATEGORIES:
            raise HRFileError(
                f"--column {name}={meaning}: {meaning!r} is neither a field "
                f"({', '.join(sorted(FIELDS))}) nor a data category (docs/notifications.md)"
            )
        if _normal(name) not in known_headers:
            raise HRFileError(
                f"{source}: --column {name}=...: the file has no column {name!r} "
                f"(its columns: {', '.join(headers)})"
            )


def _mapping(headers: list[str], overrides: Mapping[str, str], source: str) -> dict[int, str]:
    _check_overrides(overrides, headers, source)
    normal_overrides = {_normal(name): meaning for name, meaning in overrides.items()}
    out: dict[int, str] = {}
    unknown = []
    for index, header in enumerate(headers):
        key = _normal(header)
        meaning = normal_overrides.get(key) or _KNOWN.get(key)
        if meaning is None:
            unknown.append(header)
        elif meaning != "ignore":
            out[index] = meaning
    if unknown:
        raise HRFileError(
            f"{source}:1: unknown column(s) {', '.join(repr(u) for u in unknown)}: say what each "
            f"holds with --column 'NAME=CATEGORY' (e.g. --column '{unknown[0]}=government_id.ssn')"
            f" or --column '{unknown[0]}=ignore'"
        )
    meanings = set(out.values())
    if "country" not in meanings:
        raise HRFileError(
            f"{source}:1: no country column: name it 'country' or map yours, e.g. "
            "--column 'Land=country'"
        )
    if not meanings & {"email", "employee_id"}:
        raise HRFileError(
            f"{source}:1: no email or employee_id column: one is needed to count each employee "
            "once (e.g. --column 'Personnel No=employee_id')"
        )
    return out


def read_hr_file(path: Path) -> str:
    """The file's text (UTF-8, with or without a byte-order mark)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise HRFileError(f"cannot read the HR file {path}: {error.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise HRFileError(
            f"{path}:{line}: not UTF-8 (byte {error.start}); export the file as UTF-8 CSV"
        ) from None


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def hr_exposure(
    text: str,
    *,
    key: RecipientKey,
    source: str = "<hr>",
    columns: Mapping[str, str] | None = None,
    mail_to: frozenset[str] = frozenset(),
) -> Exposure:
    """Employees per jurisdiction and category from CSV text; pure."""
    rows = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    try:
        headers = next(rows)
    except StopIteration:
        raise HRFileError(f"{source}: the file is empty (a header line is needed)") from None
    except csv.Error as error:
        raise HRFileError(f"{source}:1: not CSV: {error}") from None
    table = _Table(source, headers, _mapping(headers, columns or {}, source))
    counter = ExposureCounter("hr", key, mail_to)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as error:
            raise HRFileError(f"{source}:{rows.line_num}: not CSV: {error}") from None
        if any(cell.strip() for cell in row):
            table.count(row, rows.line_num, counter)
    if counter.records == 0:
        raise HRFileError(f"{source}: no employee rows after the header")
    return counter.result()


class _Table:
    def __init__(self, source: str, headers: list[str], mapping: dict[int, str]) -> None:
        self.source = source
        self.headers = headers
        self.mapping = mapping

    def _header(self, meaning: str, default: str) -> str:
        return next((self.headers[i] for i, m in self.mapping.items() if m == meaning), default)

    def _fail(self, line: int, meaning: str, message: str) -> HRFileError:
        column = self._header(meaning, meaning)
        return HRFileError(f"{self.source}:{line}, column {column!r}: {message}")

    def count(self, row: list[str], line: int, counter: ExposureCounter) -> None:
        if len(row) > len(self.headers):
            raise HRFileError(
                f"{self.source}:{line}: {len(row)} cells but {len(self.headers)} columns in the "
                "header (an unquoted delimiter inside a value?)"
            )
        values: dict[str, list[str]] = {}
        categories: set[str] = set()
        for index, meaning in self.mapping.items():
            cell = row[index].strip() if index < len(row) else ""
            if not cell:
                continue
            if meaning in CATEGORIES:
                categories.add(meaning)
            else:
                values.setdefault(meaning, []).append(cell)
                if meaning in _CONTACT_FIELDS:
                    categories.add("contact")

        def first(meaning: str) -> str:
            return (values.get(meaning) or [""])[0]

        country = first("country").upper()
        if not re.fullmatch(r"[A-Z]{2}", country):
            given = first("country")
            raise self._fail(
                line,
                "country",
                (f"{given!r} is not" if given else "empty; give")
                + " an ISO 3166 two-letter country code (e.g. US, DE, GB)",
            )
        state = first("state")
        if country in _SUBDIVIDED and not state:
            raise self._fail(
                line,
                "state",
                f"empty; {country} employees need their state or province code (e.g. CA, ON, "
                "NSW): notification laws differ by it",
            )
        email, employee_id = first("email"), first("employee_id")
        if not email and not employee_id:
            raise HRFileError(
                f"{self.source}:{line}: neither an email nor an employee_id (each employee "
                "needs one)"
            )
        counter.records += 1
        counter.add(
            identity=email or None,
            fallback=f"employee:{employee_id or email}",
            jurisdiction=jurisdiction_of(country, state),
            categories=categories,
            employee=True,
            address=PostalAddress(
                " ".join(values.get("name", [])),
                tuple(values.get("street", [])),
                first("city"),
                state,
                first("postcode"),
                country,
            ),
        )


def parse_columns(items: Iterable[str]) -> dict[str, str]:
    """`--column 'Header=meaning'` flags as a mapping."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, meaning = item.partition("=")
        if not sep or not name.strip() or not meaning.strip():
            raise HRFileError(f"--column {item!r}: use --column 'HEADER=CATEGORY-OR-FIELD'")
        out[name.strip()] = meaning.strip()
    return out
