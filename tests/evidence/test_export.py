"""ECS, OCSF, CEF and RFC 5424 mappings of evidence records."""

from __future__ import annotations

import io
import json
import re
from typing import TYPE_CHECKING

import pytest

from magento_ir.evidence import (
    EvidenceFormatError,
    EvidenceLog,
    SigningKey,
    read_checkpoints,
    read_records,
)
from magento_ir.evidence.export import (
    ECS_VERSION,
    OCSF_VERSION,
    ExportOptions,
    Retention,
    checkpoint_to_ecs,
    checkpoint_to_syslog,
    export,
    to_cef,
    to_ecs,
    to_ocsf,
    to_syslog,
)
from tests.evidence._formats import both_formats, new_logs_in

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.evidence import Record

OPTIONS = ExportOptions(host="shop1.test")
ECS_CATEGORIES = {
    "api", "authentication", "configuration", "database", "driver", "file", "host", "iam",
    "intrusion_detection", "library", "malware", "network", "package", "process", "registry",
    "session", "threat", "vulnerability", "web",
}  # fmt: skip
ECS_TYPES = {
    "access", "admin", "allowed", "change", "connection", "creation", "deletion", "denied",
    "device", "end", "error", "group", "indicator", "info", "installation", "protocol", "start",
    "user",
}  # fmt: skip


@pytest.fixture
def records(tmp_path: Path, signing_key: SigningKey, log_version: int | None) -> dict[str, Record]:
    """One record of each documented family, keyed by type (in format `log_version`)."""
    with (
        new_logs_in(log_version),
        EvidenceLog.open(tmp_path / "e.log", key=signing_key, user="ir-bot", host="lab") as log,
    ):
        log.append(
            "detection",
            {
                "title": "Skimmer | in footer = bad\\",
                "rule": "cms-script",
                "suspected_breach": True,
            },
        )
        log.append(
            "capture.http_exchange",
            {
                "request": {
                    "method": "GET",
                    "host": "shop.example",
                    "url": "/rest/V1/orders?searchCriteria[pageSize]=1",
                },
                "response": {"status": 200, "body_sha256": "ab" * 32},
            },
        )
        log.append(
            "journal.result",
            {"action_id": "act-7", "d3fend_tactic": "evict", "outcome": "success"},
        )
    return {record.type: record for record in read_records(tmp_path / "e.log")}


def test_ecs_documents_carry_integrity_and_retention(records: dict[str, Record]) -> None:
    """ECS events hold hash, sequence, original line and retention labels."""
    for record in records.values():
        document = to_ecs(record, OPTIONS)
        assert document["@timestamp"] == record.time
        assert document["ecs"]["version"] == ECS_VERSION
        assert document["event"]["hash"] == record.hash
        assert document["event"]["sequence"] == record.seq
        assert document["event"]["original"].encode() + b"\n" == record.raw
        assert document["labels"] == {"retention_hot_days": "90", "retention_days": "365"}
        assert set(document["event"]["category"]) <= ECS_CATEGORIES
        assert set(document["event"]["type"]) <= ECS_TYPES


@pytest.mark.parametrize(
    ("record_type", "kind", "category", "event_type"),
    [
        ("detection", "alert", ["intrusion_detection"], ["info"]),
        ("journal.result", "event", ["configuration"], ["change"]),
        ("capture.http_exchange", "event", ["database"], ["creation"]),
        ("custody", "event", ["file"], ["access"]),
    ],
)
def test_ecs_kind_category_and_type_follow_the_reference(
    records: dict[str, Record],
    record_type: str,
    kind: str,
    category: list[str],
    event_type: list[str],
) -> None:
    """Each record family maps to the ECS kind/category/type suggested in ir-formats.md."""
    event = to_ecs(records[record_type], OPTIONS)["event"]
    assert (event["kind"], event["category"], event["type"]) == (kind, category, event_type)


def test_ecs_outcome_comes_from_the_payload(records: dict[str, Record]) -> None:
    """A journal result's outcome becomes event.outcome."""
    assert to_ecs(records["journal.result"], OPTIONS)["event"]["outcome"] == "success"


def test_ocsf_detection_is_an_incident_finding(records: dict[str, Record]) -> None:
    """detection -> Incident Finding 2005, Create, New, with assignee group and profile."""
    event = to_ocsf(records["detection"], OPTIONS)
    assert (event["class_uid"], event["category_uid"], event["activity_id"]) == (2005, 2, 1)
    assert event["type_uid"] == 200501
    assert event["status_id"] == 1
    assert event["finding_info_list"][0]["title"] == "Skimmer | in footer = bad\\"
    assert event["assignee_group"] == {"name": "incident-response"}
    assert event["metadata"]["profiles"] == ["incident"]
    assert event["is_suspected_breach"] is True


def test_ocsf_http_exchange_is_api_activity(records: dict[str, Record]) -> None:
    """capture.http_exchange -> API Activity 6003 with actor, api and src_endpoint."""
    event = to_ocsf(records["capture.http_exchange"], OPTIONS)
    assert (event["class_uid"], event["category_uid"], event["activity_id"]) == (6003, 6, 2)
    assert event["type_uid"] == 600302
    assert event["api"]["operation"] == "GET /rest/V1/orders?searchCriteria[pageSize]=1"
    assert event["src_endpoint"] == {"hostname": "shop1.test"}
    assert event["dst_endpoint"] == {"hostname": "shop.example"}
    assert event["http_response"] == {"code": 200}
    assert "user" in event["actor"]


def test_ocsf_journal_is_remediation_activity(records: dict[str, Record]) -> None:
    """journal.* -> Remediation Activity 7001 with the D3FEND tactic and command_uid."""
    event = to_ocsf(records["journal.result"], OPTIONS)
    assert (event["class_uid"], event["category_uid"], event["activity_id"]) == (7001, 7, 2)
    assert event["type_uid"] == 700102
    assert event["command_uid"] == "act-7"
    assert event["status_id"] == 1


def test_ocsf_custody_updates_the_incident(records: dict[str, Record]) -> None:
    """Other records (custody) are Incident Finding updates."""
    event = to_ocsf(records["custody"], OPTIONS)
    assert (event["class_uid"], event["activity_id"], event["status_id"]) == (2005, 2, 2)


def test_ocsf_base_fields_and_integrity(records: dict[str, Record]) -> None:
    """Every OCSF event has the required base fields, ms time and the record hash as uid."""
    for record in records.values():
        event = to_ocsf(record, OPTIONS)
        for name in ("activity_id", "category_uid", "class_uid", "type_uid", "severity_id"):
            assert isinstance(event[name], int)
        assert event["type_uid"] == event["class_uid"] * 100 + event["activity_id"]
        assert event["metadata"]["version"] == OCSF_VERSION
        assert event["metadata"]["product"]["name"] == "magento_ir"
        assert event["metadata"]["uid"] == record.hash
        assert event["metadata"]["sequence"] == record.seq
        assert "retention_days:365" in event["metadata"]["labels"]
        assert event["time"] > 1_700_000_000_000


def test_cef_escapes_header_and_extension(records: dict[str, Record]) -> None:
    """Pipes and backslashes are escaped in the header, '=' and backslash in values."""
    line = to_cef(records["detection"], OPTIONS)
    assert line.startswith("CEF:0|magento_ir|magento_ir|")
    assert "|detection|Skimmer \\| in footer = bad\\\\|8|" in line
    assert f"externalId={records['detection'].hash}" in line
    assert "cn1Label=sequence cn1=1" in line
    assert "cs4Label=retentionDays cs4=365" in line
    assert '"title":"Skimmer | in footer \\= bad\\\\\\\\"' in line
    assert "\n" not in line


@both_formats
def test_syslog_message_layout(records: dict[str, Record], log_version: int) -> None:
    """RFC 5424: PRI, version, time, host, app, nil PROCID, MSGID, SD, BOM + log line; the
    payload digest only where the record has one (format version 1)."""
    record = records["detection"]
    message = to_syslog(record, OPTIONS)
    digest = rb'payloadSha256="[0-9a-f]{64}" ' if log_version == 1 else b""
    pattern = (
        rb"<130>1 (\S+) shop1\.test magento_ir - detection "
        rb'\[mir@32473 seq="1" hash="([0-9a-f]{64})" ' + digest + rb'prev="[0-9a-f]{64}" '
        rb'retentionHotDays="90" retentionDays="365"\]'
        rb'\[meta sequenceId="2"\] \xef\xbb\xbf(.*)'
    )
    match = re.fullmatch(pattern, message, re.DOTALL)
    assert match is not None, message
    assert match.group(1).decode() == record.time
    assert match.group(2).decode() == record.hash
    assert match.group(3) + b"\n" == record.raw


@both_formats
def test_every_format_carries_the_records_own_digests(
    records: dict[str, Record], log_version: int
) -> None:
    """ECS, OCSF and CEF carry `prev`, and the payload digest exactly when the record has one
    (format version 1): a version 2 export never shows a digest the log does not hold."""
    record = records["detection"]
    ecs = to_ecs(record, OPTIONS)["magento_ir"]
    ocsf = to_ocsf(record, OPTIONS)["unmapped"]["magento_ir"]
    cef = to_cef(record, OPTIONS)
    assert ecs["prev"] == ocsf["prev"] == record.prev
    assert f"cs2={record.prev}" in cef
    if log_version == 1:
        assert record.payload_sha256 is not None
        assert ecs["payload_sha256"] == ocsf["payload_sha256"] == record.payload_sha256
        assert f"cs1Label=payloadSha256 cs1={record.payload_sha256} " in cef
    else:
        assert record.payload_sha256 is None
        assert "payload_sha256" not in ecs
        assert "payload_sha256" not in ocsf
        assert "cs1" not in cef


def test_syslog_uses_configured_enterprise_number_and_facility(records: dict[str, Record]) -> None:
    """The SD-ID uses the configured PEN; PRI = facility * 8 + severity."""
    options = ExportOptions(host="h", private_enterprise_number=99999, syslog_facility=1)
    message = to_syslog(records["custody"], options)
    assert message.startswith(b"<14>1 ")
    assert b"[mir@99999 " in message


@pytest.mark.usefixtures("records")
def test_export_writes_one_line_per_record_in_order(tmp_path: Path) -> None:
    """export() writes every record in the chosen format, one per line, carrying its hash."""
    path = tmp_path / "e.log"
    hashes = [record.hash for record in read_records(path)]
    for fmt in ("ecs", "ocsf", "cef", "syslog"):
        out = io.BytesIO()
        assert export(path, fmt, out, OPTIONS) == len(hashes)
        lines = out.getvalue().splitlines()
        if fmt == "ecs":
            assert [json.loads(line)["event"]["hash"] for line in lines] == hashes
        elif fmt == "ocsf":
            assert [json.loads(line)["metadata"]["uid"] for line in lines] == hashes
        else:
            assert [h.encode() in line for h, line in zip(hashes, lines, strict=True)] == [
                True
            ] * len(hashes)
    with pytest.raises(EvidenceFormatError, match="unknown export format"):
        export(path, "xml", io.BytesIO(), OPTIONS)  # type: ignore[arg-type]


def test_retention_and_options_are_validated() -> None:
    """Impossible retention or host values raise ValueError naming the rule."""
    with pytest.raises(ValueError, match="hot_days <= total_days"):
        Retention(hot_days=400, total_days=365)
    with pytest.raises(ValueError, match="host"):
        ExportOptions(host="two words")
    with pytest.raises(ValueError, match="syslog_facility"):
        ExportOptions(host="h", syslog_facility=24)
    with pytest.raises(ValueError, match="app_name"):
        ExportOptions(host="h", app_name="x" * 49)
    with pytest.raises(ValueError, match="host"):
        ExportOptions(host="tab\there")
    with pytest.raises(ValueError, match="enterprise number"):
        ExportOptions(host="h", private_enterprise_number=0)
    assert ExportOptions(host="h", retention=Retention(30, 730)).retention.total_days == 730


@pytest.mark.usefixtures("records")
def test_checkpoints_export_as_their_checkpoints_file_line(tmp_path: Path) -> None:
    """A checkpoint exports with origin, size and root, and its `.checkpoints` line verbatim."""
    note = read_checkpoints(tmp_path / "e.log")[-1]
    document = checkpoint_to_ecs(note, OPTIONS)
    assert json.loads(document["event"]["original"]) == {"note": note}
    assert document["event"]["action"] == "checkpoint"
    assert document["magento_ir"]["checkpoint"]["size"] == 4
    assert document["labels"]["retention_days"] == "365"
    message = checkpoint_to_syslog(note, OPTIONS)
    assert re.match(
        rb"<134>1 \S+Z shop1\.test magento_ir - checkpoint \[mir@32473 origin=", message
    )
    assert b'treeSize="4"' in message
    assert json.loads(message.split(b"\xef\xbb\xbf", 1)[1]) == {"note": note}


@pytest.mark.parametrize(("ok", "word", "status_id"), [(True, "success", 1), (False, "failure", 2)])
def test_outcome_objects_with_ok_map_to_success_or_failure(
    tmp_path: Path, signing_key: SigningKey, ok: bool, word: str, status_id: int
) -> None:
    """A journal outcome object's `ok` flag becomes ECS event.outcome and OCSF status_id."""
    with EvidenceLog.open(tmp_path / "j.log", key=signing_key) as log:
        record = log.append(
            "journal.result", {"step": "0a1b2c3d4e5f6a7b", "outcome": {"ok": ok, "entities": []}}
        )
    assert to_ecs(record, OPTIONS)["event"]["outcome"] == word
    event = to_ocsf(record, OPTIONS)
    assert event["status_id"] == status_id
    assert event["command_uid"] == "0a1b2c3d4e5f6a7b"


def test_incident_declaration_opens_the_incident(tmp_path: Path, signing_key: SigningKey) -> None:
    """incident.opened maps like a detection: ECS alert, OCSF Incident Finding Create."""
    with EvidenceLog.open(tmp_path / "j.log", key=signing_key) as log:
        record = log.append("incident.opened", {"title": "Skimmer on checkout"})
    assert to_ecs(record, OPTIONS)["event"]["kind"] == "alert"
    event = to_ocsf(record, OPTIONS)
    assert (event["class_uid"], event["activity_id"], event["status_id"]) == (2005, 1, 1)
    assert event["finding_info_list"][0]["title"] == "Skimmer on checkout"


def test_ecs_http_exchange_carries_http_and_url(records: dict[str, Record]) -> None:
    """A captured exchange fills ECS http.request.method, http.response.status_code, url.*."""
    document = to_ecs(records["capture.http_exchange"], OPTIONS)
    assert document["http"] == {"request": {"method": "GET"}, "response": {"status_code": 200}}
    assert document["url"] == {
        "original": "/rest/V1/orders?searchCriteria[pageSize]=1",
        "domain": "shop.example",
    }
