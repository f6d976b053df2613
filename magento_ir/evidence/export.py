"""Evidence records as SIEM events: ECS, OCSF, CEF and RFC 5424 syslog.

Every exported event carries the record's hash, sequence number and payload digest (and ECS
carries the original line), so the SIEM copy can be checked against the log, plus retention
metadata: 90 days hot, 12 months in total (PCI DSS 10.5.1) unless configured otherwise.
Mappings follow shared/reference/ir-formats.md sections 4-7; docs/evidence.md lists them.
"""

from __future__ import annotations

import base64
import json
import os
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any, Literal

import magento_ir
from magento_ir.evidence._errors import EvidenceFormatError
from magento_ir.evidence.log import canonical_json, read_records
from magento_ir.evidence.notes import Checkpoint

if TYPE_CHECKING:
    from collections.abc import Iterable

    from magento_ir.evidence.log import Record

__all__ = [
    "ECS_VERSION",
    "OCSF_VERSION",
    "ExportFormat",
    "ExportOptions",
    "Retention",
    "checkpoint_to_ecs",
    "checkpoint_to_syslog",
    "export",
    "to_cef",
    "to_ecs",
    "to_ocsf",
    "to_syslog",
]

ECS_VERSION = "8.11.0"
OCSF_VERSION = "1.6.0"
PRODUCT = "magento_ir"
# RFC 5424 documentation Private Enterprise Number; deployments with their own PEN set it.
DOCUMENTATION_PEN = 32473
_SYSLOG_SEQUENCE_LIMIT = 2_147_483_647
ExportFormat = Literal["ecs", "ocsf", "cef", "syslog"]


@dataclass(frozen=True, slots=True)
class Retention:
    """How long the SIEM keeps the events: `hot_days` searchable, `total_days` in all."""

    hot_days: int = 90
    total_days: int = 365

    def __post_init__(self) -> None:
        if not 0 < self.hot_days <= self.total_days:
            raise ValueError("retention needs 0 < hot_days <= total_days")


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """Context the records themselves do not hold: where they come from and who owns them."""

    host: str = field(default_factory=socket.gethostname)
    retention: Retention = field(default_factory=Retention)
    assignee_group: str = "incident-response"
    app_name: str = PRODUCT
    private_enterprise_number: int = DOCUMENTATION_PEN
    syslog_facility: int = 16  # local0

    def __post_init__(self) -> None:
        _check_header_field("host", self.host, 255)  # RFC 5424 HOSTNAME
        _check_header_field("app_name", self.app_name, 48)  # RFC 5424 APP-NAME
        if not 0 <= self.syslog_facility <= 23:  # noqa: PLR2004 - RFC 5424 facilities
            raise ValueError("syslog_facility must be 0-23 (16 is local0)")
        if self.private_enterprise_number < 1:
            raise ValueError("private_enterprise_number must be your IANA enterprise number")


def _check_header_field(name: str, value: str, limit: int) -> None:
    if not 0 < len(value) <= limit or not all("!" <= char <= "~" for char in value):
        raise ValueError(
            f"{name} {value!r} must be 1-{limit} printable ASCII characters without spaces"
        )


@dataclass(frozen=True, slots=True)
class _Mapping:
    ecs_kind: str
    ecs_category: tuple[str, ...]
    ecs_type: tuple[str, ...]
    severity: int  # CEF 0-10
    syslog_severity: int  # RFC 5424 0-7


_DETECTION = _Mapping("alert", ("intrusion_detection",), ("info",), 8, 2)
_JOURNAL = _Mapping("event", ("configuration",), ("change",), 5, 5)
_CAPTURE = _Mapping("event", ("database",), ("creation",), 3, 6)
_CUSTODY = _Mapping("event", ("file",), ("access",), 3, 6)
_REPAIR = _Mapping("event", ("file",), ("change",), 6, 4)
_OTHER = _Mapping("event", ("file",), ("info",), 3, 6)


def _mapping(record_type: str) -> _Mapping:
    family = record_type.split(".", 1)[0]
    return {
        "detection": _DETECTION,
        "incident": _DETECTION,
        "journal": _JOURNAL,
        "capture": _CAPTURE,
        "custody": _CUSTODY,
        "log": _REPAIR,
    }.get(family, _OTHER)


def _outcome(payload: dict[str, Any]) -> str:
    """`outcome` as a word, or from an outcome object's boolean `ok` (the containment journal's)."""
    outcome = payload.get("outcome")
    if isinstance(outcome, dict) and isinstance(outcome.get("ok"), bool):
        return "success" if outcome["ok"] else "failure"
    return str(outcome or "").lower()


def _epoch_ms(record: Record) -> int:
    return int(datetime.fromisoformat(record.time).timestamp() * 1000)


def _retention_labels(options: ExportOptions) -> dict[str, str]:
    return {
        "retention_hot_days": str(options.retention.hot_days),
        "retention_days": str(options.retention.total_days),
    }


def _hashes(fields: dict[str, Any], record: Record) -> dict[str, Any]:
    """`fields` with the record's own digests: `payload_sha256` (format version 1 only; version
    2 records have none, the record hash covers the payload) and `prev`."""
    if record.payload_sha256 is not None:
        fields["payload_sha256"] = record.payload_sha256
    fields["prev"] = record.prev
    return fields


def to_ecs(record: Record, options: ExportOptions) -> dict[str, Any]:
    """An ECS document; `event.original` is the log line, so the copy can be re-verified."""
    mapping = _mapping(record.type)
    payload = record.payload
    document: dict[str, Any] = {
        "@timestamp": record.time,
        "ecs": {"version": ECS_VERSION},
        "event": {
            "kind": mapping.ecs_kind,
            "category": list(mapping.ecs_category),
            "type": list(mapping.ecs_type),
            "action": record.type,
            "id": record.hash,
            "hash": record.hash,
            "sequence": record.seq,
            "created": record.time,
            "severity": mapping.severity,
            "original": record.raw.decode().rstrip("\n"),
            "module": PRODUCT,
            "dataset": f"{PRODUCT}.evidence",
        },
        "host": {"name": options.host},
        "labels": _retention_labels(options),
        "magento_ir": _hashes({"payload": payload}, record),
    }
    outcome = _outcome(payload)
    if outcome in ("success", "failure", "unknown"):
        document["event"]["outcome"] = outcome
    user = payload.get("user")
    if isinstance(user, str):
        document["user"] = {"name": user}
    if record.type == "capture.http_exchange":
        _ecs_http(document, payload)
    return document


def _ecs_http(document: dict[str, Any], payload: dict[str, Any]) -> None:
    """http.* and url.* from a captured exchange's request and response."""
    request, response = payload.get("request"), payload.get("response")
    if isinstance(request, dict):
        if isinstance(request.get("method"), str):
            document["http"] = {"request": {"method": request["method"]}}
        url = {"original": request.get("url"), "domain": request.get("host")}
        document["url"] = {key: value for key, value in url.items() if isinstance(value, str)}
    if isinstance(response, dict) and isinstance(response.get("status"), int):
        document.setdefault("http", {})["response"] = {"status_code": response["status"]}


_OCSF_METHOD_ACTIVITY = {"POST": 1, "GET": 2, "HEAD": 2, "PUT": 3, "PATCH": 3, "DELETE": 4}
_OCSF_TACTIC_ACTIVITY = {"isolate": 1, "evict": 2, "restore": 3, "harden": 4}
_OCSF_RESULT_STATUS = {
    "success": 1,
    "failure": 2,
    "does_not_exist": 3,
    "partial": 4,
    "unsupported": 5,
    "error": 6,
}
_OCSF_OTHER = 99


def _ocsf_base(
    record: Record, options: ExportOptions, category_uid: int, class_uid: int, activity_id: int
) -> dict[str, Any]:
    return {
        "category_uid": category_uid,
        "class_uid": class_uid,
        "activity_id": activity_id,
        "type_uid": class_uid * 100 + activity_id,
        "severity_id": _ocsf_severity(_mapping(record.type).severity),
        "time": _epoch_ms(record),
        "message": record.type,
        "metadata": {
            "product": {"name": PRODUCT, "vendor_name": PRODUCT, "version": magento_ir.__version__},
            "version": OCSF_VERSION,
            "uid": record.hash,
            "sequence": record.seq,
            "logged_time": _epoch_ms(record),
            "log_name": record.type,
            "labels": [f"{k}:{v}" for k, v in _retention_labels(options).items()],
        },
        "unmapped": {"magento_ir": _hashes({"payload": record.payload}, record)},
    }


def _ocsf_severity(cef_severity: int) -> int:
    # OCSF: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical.
    if cef_severity >= 9:  # noqa: PLR2004 - CEF "Very-High"
        return 5
    if cef_severity >= 7:  # noqa: PLR2004 - CEF "High"
        return 4
    if cef_severity >= 4:  # noqa: PLR2004 - CEF "Medium"
        return 3
    return 1


def to_ocsf(record: Record, options: ExportOptions) -> dict[str, Any]:
    """An OCSF event: Incident Finding, API Activity or Remediation Activity (see docs)."""
    payload = record.payload
    if record.type == "capture.http_exchange":
        return _ocsf_api_activity(record, options)
    if record.type.startswith("journal."):
        tactic = str(payload.get("d3fend_tactic", "")).lower()
        event = _ocsf_base(record, options, 7, 7001, _OCSF_TACTIC_ACTIVITY.get(tactic, _OCSF_OTHER))
        event["command_uid"] = str(payload.get("action_id") or payload.get("step") or record.hash)
        event["status_id"] = _OCSF_RESULT_STATUS.get(_outcome(payload), 0)
        return event
    # A detection or the declaration opens the incident; every other record updates it.
    created = record.type in ("detection", "incident.opened")
    event = _ocsf_base(record, options, 2, 2005, 1 if created else 2)
    title = payload.get("title") or payload.get("rule") or record.type
    event["finding_info_list"] = [{"uid": record.hash, "title": str(title)}]
    event["status_id"] = 1 if created else 2
    event["assignee_group"] = {"name": options.assignee_group}
    event["metadata"]["profiles"] = ["incident"]
    if isinstance(payload.get("suspected_breach"), bool):
        event["is_suspected_breach"] = payload["suspected_breach"]
    return event


def _ocsf_api_activity(record: Record, options: ExportOptions) -> dict[str, Any]:
    payload = record.payload
    raw_request, raw_response = payload.get("request"), payload.get("response")
    request: dict[str, Any] = raw_request if isinstance(raw_request, dict) else {}
    response: dict[str, Any] = raw_response if isinstance(raw_response, dict) else {}
    method = str(request.get("method", "")).upper()
    event = _ocsf_base(record, options, 6, 6003, _OCSF_METHOD_ACTIVITY.get(method, _OCSF_OTHER))
    url = str(request.get("url", ""))
    event["actor"] = {"user": {"name": str(payload.get("user") or options.app_name)}}
    event["api"] = {"operation": f"{method} {url}".strip()}
    event["src_endpoint"] = {"hostname": options.host}
    if isinstance(request.get("host"), str):
        event["dst_endpoint"] = {"hostname": request["host"]}
    event["http_request"] = {"http_method": method, "url": {"url_string": url}}
    if isinstance(response.get("status"), int):
        event["http_response"] = {"code": response["status"]}
        event["status_id"] = 1 if response["status"] < 400 else 2  # noqa: PLR2004 - HTTP errors
    return event


def _cef_header(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _cef_value(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace("=", "\\=")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def to_cef(record: Record, options: ExportOptions) -> str:
    """A CEF:0 line; externalId is the record hash, cn1 the sequence, msg the payload JSON."""
    mapping = _mapping(record.type)
    name = str(record.payload.get("title") or record.type)
    extension = {
        "rt": str(_epoch_ms(record)),
        "dvchost": options.host,
        "externalId": record.hash,
        "cn1Label": "sequence",
        "cn1": str(record.seq),
        **(
            {"cs1Label": "payloadSha256", "cs1": record.payload_sha256}
            if record.payload_sha256 is not None
            else {}
        ),
        "cs2Label": "prevHash",
        "cs2": record.prev,
        "cs3Label": "retentionHotDays",
        "cs3": str(options.retention.hot_days),
        "cs4Label": "retentionDays",
        "cs4": str(options.retention.total_days),
        "msg": canonical_json(record.payload),
    }
    header = "|".join(
        _cef_header(part) for part in (PRODUCT, PRODUCT, magento_ir.__version__, record.type, name)
    )
    body = " ".join(f"{key}={_cef_value(value)}" for key, value in extension.items())
    return f"CEF:0|{header}|{mapping.severity}|{body}"


def _sd_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def to_syslog(record: Record, options: ExportOptions) -> bytes:
    """An RFC 5424 message: structured data with the hashes, MSG = BOM + the log line."""
    mapping = _mapping(record.type)
    pri = options.syslog_facility * 8 + mapping.syslog_severity
    sd_id = f"mir@{options.private_enterprise_number}"
    params = {
        "seq": str(record.seq),
        "hash": record.hash,
        **({"payloadSha256": record.payload_sha256} if record.payload_sha256 is not None else {}),
        "prev": record.prev,
        "retentionHotDays": str(options.retention.hot_days),
        "retentionDays": str(options.retention.total_days),
    }
    element = " ".join(f'{key}="{_sd_value(value)}"' for key, value in params.items())
    sequence_id = record.seq % _SYSLOG_SEQUENCE_LIMIT + 1
    header = (
        f"<{pri}>1 {record.time} {options.host} {options.app_name} - {record.type} "
        f'[{sd_id} {element}][meta sequenceId="{sequence_id}"] '
    )
    return header.encode() + b"\xef\xbb\xbf" + record.raw.rstrip(b"\n")


def _checkpoint_line(note: str) -> tuple[Checkpoint, str]:
    checkpoint = Checkpoint.parse(note, None)
    return checkpoint, json.dumps({"note": note}, ensure_ascii=False)


def checkpoint_to_ecs(note: str, options: ExportOptions) -> dict[str, Any]:
    """An ECS document for a signed checkpoint; `event.original` is its `.checkpoints` line.

    Keeping checkpoints in the SIEM is what makes truncation or a rewrite of the log
    detectable: pass them back to `verify(..., checkpoints=[...])`.
    """
    checkpoint, line = _checkpoint_line(note)
    now = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    return {
        "@timestamp": now,
        "ecs": {"version": ECS_VERSION},
        "event": {
            "kind": "event",
            "category": ["file"],
            "type": ["info"],
            "action": "checkpoint",
            "original": line,
            "module": PRODUCT,
            "dataset": f"{PRODUCT}.checkpoint",
        },
        "host": {"name": options.host},
        "labels": _retention_labels(options),
        "magento_ir": {
            "checkpoint": {
                "origin": checkpoint.origin,
                "size": checkpoint.size,
                "root": base64.b64encode(checkpoint.root).decode(),
            }
        },
    }


def checkpoint_to_syslog(note: str, options: ExportOptions) -> bytes:
    """An RFC 5424 message for a signed checkpoint: MSG is its `.checkpoints` JSON line."""
    checkpoint, line = _checkpoint_line(note)
    pri = options.syslog_facility * 8 + 6  # informational
    now = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    params = {
        "origin": checkpoint.origin,
        "treeSize": str(checkpoint.size),
        "rootHash": base64.b64encode(checkpoint.root).decode(),
    }
    element = " ".join(f'{key}="{_sd_value(value)}"' for key, value in params.items())
    header = (
        f"<{pri}>1 {now} {options.host} {options.app_name} - checkpoint "
        f"[mir@{options.private_enterprise_number} {element}] "
    )
    return header.encode() + b"\xef\xbb\xbf" + line.encode()


def export(
    source: str | os.PathLike[str] | Iterable[Record],
    fmt: ExportFormat,
    out: IO[bytes],
    options: ExportOptions | None = None,
) -> int:
    """Write every record as one line of `fmt` to `out`; returns how many were written."""
    opts = options or ExportOptions()
    records = read_records(source) if isinstance(source, str | os.PathLike) else source
    count = 0
    for record in records:
        if fmt == "ecs":
            line = json.dumps(to_ecs(record, opts), ensure_ascii=False).encode()
        elif fmt == "ocsf":
            line = json.dumps(to_ocsf(record, opts), ensure_ascii=False).encode()
        elif fmt == "cef":
            line = to_cef(record, opts).encode()
        elif fmt == "syslog":
            line = to_syslog(record, opts)
        else:
            raise EvidenceFormatError(
                f"unknown export format {fmt!r}: use ecs, ocsf, cef or syslog"
            )
        out.write(line + b"\n")
        count += 1
    return count
