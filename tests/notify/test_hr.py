"""HR data from a CSV or HR-system export: employees per jurisdiction and category, typed errors."""

from datetime import UTC, date, datetime

import pytest

from magento_ir.notify import Facts, plan, shipped_rules
from magento_ir.notify.exposure import RecipientKey
from magento_ir.notify.hr import HRFileError, hr_exposure, parse_columns, read_hr_file

KEY = RecipientKey(b"0123456789abcdef")

# An HR-system export: semicolons, a byte-order mark, its own header names.
EXPORT = (
    "\ufeffEmployee ID;Work Email;Full Name;Country;State/Province;SSN;Federal Withholding;"
    "Salary;Notes\n"
    "1;ann@corp.example;Ann A;US;VA;123-45-6789;4200;90000;\n"
    "2;bob@corp.example;Bob B;US;VA;;;85000;\n"
    "3;;Cid C;DE;;;;70000;x\n"
    "\n"
    "4;ANN@corp.example;Ann A;US;VA;;;;\n"
)


def test_export_counts_employees_per_jurisdiction_and_category():
    """A non-empty cell exposes its category; the same e-mail is one person; no e-mail keeps an
    address for a mailed notice."""
    exposure = hr_exposure(
        EXPORT, key=KEY, columns={"Notes": "ignore", "SSN": "government_id.tax_id"}
    )
    assert exposure.kind == "hr"
    assert exposure.records == 4
    assert exposure.by_jurisdiction() == {"DE": 1, "US-VA": 2}
    assert exposure.by_category() == {
        "contact": 3,
        "government_id.tax_id": 1,
        "hr.payroll": 3,
        "hr.tax_withholding": 1,
    }
    assert all(group.employees for group in exposure.groups)
    germany = next(r for r in exposure.recipients if r.jurisdiction == "DE")
    assert germany.no_email
    assert germany.address is not None
    assert germany.address.name == "Cid C"
    assert "corp.example" not in repr(exposure)


def test_virginia_payroll_rule_fires_on_tax_id_and_withholding():
    """The HR-only rule of issue 12: tax id + withholding of a Virginia employee."""
    exposure = hr_exposure(
        EXPORT, key=KEY, columns={"Notes": "ignore", "SSN": "government_id.tax_id"}
    )
    aware = datetime(2026, 6, 1, 9, tzinfo=UTC)
    facts = Facts(clock={"awareness": aware, "discovery": aware}, affected=exposure.groups)
    keys = {o.key for o in plan(facts, shipped_rules(), as_of=date(2026, 6, 2)).obligations}
    assert "us-va-payroll/attorney-general" in keys


@pytest.mark.parametrize(
    ("text", "columns", "message"),
    [
        ("", {}, "the file is empty"),
        ("email,country,Bonus\n", {}, r"<hr>:1: unknown column\(s\) 'Bonus'.*--column 'Bonus="),
        ("email,region\na@x,CA\n", {}, "no country column"),
        ("name,country\nA,DE\n", {}, "no email or employee_id column"),
        ("email,Land\na@x,Germany\n", {"Land": "country"}, r"<hr>:2, column 'Land': 'Germany'"),
        ("email,country\na@x,DE\nb@x,\n", {}, r"<hr>:3, column 'country': empty; give"),
        ("email,country,state\na@x,US,\n", {}, r"<hr>:2, column 'state': empty; US employees"),
        ("email,country\na@x,DE,extra\n", {}, r"<hr>:2: 3 cells but 2 columns"),
        ("email,employee_id,country\n,,DE\n", {}, r"<hr>:2: neither an email nor an employee_id"),
        ("email,country\n", {}, "no employee rows"),
        ("email,country\na@x,DE\n", {"country": "nationality"}, "neither a field"),
        ("email,country\na@x,DE\n", {"Salary": "hr.payroll"}, "the file has no column 'Salary'"),
    ],
)
def test_bad_files_name_the_line_and_column(text, columns, message):
    with pytest.raises(HRFileError, match=message):
        hr_exposure(text, key=KEY, columns=columns)


def test_read_hr_file_names_the_line_of_bad_bytes(tmp_path):
    path = tmp_path / "staff.csv"
    path.write_bytes(b"email,country\na@x,DE\nb@x,\xe9\n")
    with pytest.raises(HRFileError, match=r"staff.csv:3: not UTF-8"):
        read_hr_file(path)
    with pytest.raises(HRFileError, match="cannot read the HR file"):
        read_hr_file(tmp_path / "missing.csv")
    path.write_text("email,country\na@x,DE\n", encoding="utf-8")
    assert read_hr_file(path).startswith("email")


def test_parse_columns():
    assert parse_columns(["SSN#=government_id.ssn", " Notes = ignore"]) == {
        "SSN#": "government_id.ssn",
        "Notes": "ignore",
    }
    with pytest.raises(HRFileError, match="HEADER=CATEGORY-OR-FIELD"):
        parse_columns(["SSN#"])
