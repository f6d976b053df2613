"""Property tests: any single modification, deletion, insertion, reordering or truncation of a
log is detected, and the report names the record where it happened."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from magento_ir.evidence import EvidenceLog, SigningKey, read_checkpoints, read_records, verify
from tests.evidence._formats import FORMAT_VERSIONS
from tests.evidence.conftest import write_log

if TYPE_CHECKING:
    from pathlib import Path

RECORDS = 12  # the custody record plus 11 detections
PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module", params=FORMAT_VERSIONS, ids=lambda version: f"v{version}")
def original(
    tmp_path_factory: pytest.TempPathFactory,
    signing_key: SigningKey,
    request: pytest.FixtureRequest,
) -> dict[str, object]:
    """A log in each format version, and a foreign one (of the same version) to splice from."""
    directory = tmp_path_factory.mktemp("original")
    version = request.param
    path = write_log(
        directory / "evidence.log", signing_key, RECORDS - 1, checkpoint_every=5, version=version
    )
    other = write_log(directory / "other.log", signing_key, RECORDS - 1, version=version)
    return {
        "lines": path.read_bytes().splitlines(keepends=True),
        "foreign": other.read_bytes().splitlines(keepends=True),
        # The latest checkpoint, as shipped to the SIEM: kept where the attacker cannot reach.
        "saved": read_checkpoints(path)[-1],
    }


def _first_difference(original: list[bytes], tampered: list[bytes]) -> int:
    """Index of the first line that differs: where a verifier can first see the change."""
    for index, (before, after) in enumerate(zip(original, tampered, strict=False)):
        if before != after:
            return index
    return min(len(original), len(tampered))


def _check(tmp_path: Path, key: SigningKey, saved: str, content: bytes) -> tuple[str, int | None]:
    path = tmp_path / "evidence.log"
    path.write_bytes(content)
    report = verify(path, key.verifier(), checkpoints=[saved])
    assert report.problem is not None, "tampering went undetected"
    return report.problem.kind, report.problem.seq


@PROPERTY_SETTINGS
@given(data=st.data())
def test_any_single_byte_change_is_located(
    tmp_path: Path, signing_key: SigningKey, original: dict[str, object], data: st.DataObject
) -> None:
    """Changing any one byte of any record is reported at that record."""
    lines: list[bytes] = original["lines"]  # type: ignore[assignment]
    index = data.draw(st.integers(0, len(lines) - 1), label="record")
    position = data.draw(st.integers(0, len(lines[index]) - 1), label="byte")
    value = data.draw(st.integers(0, 255).filter(lambda b: b != lines[index][position]))
    changed = bytearray(lines[index])
    changed[position] = value
    content = b"".join([*lines[:index], bytes(changed), *lines[index + 1 :]])
    _, seq = _check(tmp_path, signing_key, original["saved"], content)  # type: ignore[arg-type]
    assert seq == index


@PROPERTY_SETTINGS
@given(index=st.integers(0, RECORDS - 1))
def test_any_deleted_record_is_located(
    tmp_path: Path, signing_key: SigningKey, original: dict[str, object], index: int
) -> None:
    """Deleting any one record is reported at its sequence number (the last one as truncation)."""
    lines: list[bytes] = original["lines"]  # type: ignore[assignment]
    content = b"".join([*lines[:index], *lines[index + 1 :]])
    kind, seq = _check(tmp_path, signing_key, original["saved"], content)  # type: ignore[arg-type]
    assert seq == index
    assert kind == ("truncated" if index == RECORDS - 1 else "sequence")


@PROPERTY_SETTINGS
@given(data=st.data())
def test_any_inserted_record_is_located(
    tmp_path: Path, signing_key: SigningKey, original: dict[str, object], data: st.DataObject
) -> None:
    """Inserting a copy of a record, or one from another log, is reported where it first shows."""
    lines: list[bytes] = original["lines"]  # type: ignore[assignment]
    donors = lines + original["foreign"]  # type: ignore[operator]
    index = data.draw(st.integers(0, len(lines)), label="position")
    inserted = data.draw(st.sampled_from(donors), label="inserted")
    tampered = [*lines[:index], inserted, *lines[index:]]
    _, seq = _check(tmp_path, signing_key, original["saved"], b"".join(tampered))  # type: ignore[arg-type]
    # A copy inserted next to its original shows only from the second copy on.
    assert seq == _first_difference(lines, tampered)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_any_reordering_is_located(
    tmp_path: Path, signing_key: SigningKey, original: dict[str, object], data: st.DataObject
) -> None:
    """Moving any record to another place is reported at the first position that changed."""
    lines: list[bytes] = original["lines"]  # type: ignore[assignment]
    source = data.draw(st.integers(0, len(lines) - 1), label="from")
    target = data.draw(st.integers(0, len(lines) - 1).filter(lambda t: t != source), label="to")
    moved = list(lines)
    moved.insert(target, moved.pop(source))
    _, seq = _check(tmp_path, signing_key, original["saved"], b"".join(moved))  # type: ignore[arg-type]
    assert seq == min(source, target)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_any_truncation_is_located(
    tmp_path: Path, signing_key: SigningKey, original: dict[str, object], data: st.DataObject
) -> None:
    """Cutting the log at any byte is reported at the first record lost or torn."""
    lines: list[bytes] = original["lines"]  # type: ignore[assignment]
    content = b"".join(lines)
    cut = data.draw(st.integers(0, len(content) - 1), label="cut")
    kept = content[:cut]
    complete = kept.count(b"\n")
    kind, seq = _check(tmp_path, signing_key, original["saved"], kept)  # type: ignore[arg-type]
    assert seq == complete
    assert kind == ("truncated" if kept.endswith(b"\n") or not kept else "torn")


@PROPERTY_SETTINGS
@given(data=st.data())
def test_garbage_anywhere_gives_a_report_not_a_crash(
    tmp_path: Path, signing_key: SigningKey, original: dict[str, object], data: st.DataObject
) -> None:
    """Replacing any line with arbitrary bytes yields a located problem, never an exception."""
    lines: list[bytes] = original["lines"]  # type: ignore[assignment]
    index = data.draw(st.integers(0, len(lines) - 1), label="line")
    garbage = data.draw(st.binary(min_size=1, max_size=600).filter(lambda b: b != lines[index]))
    tampered = [*lines[:index], garbage, *lines[index + 1 :]]
    _, seq = _check(tmp_path, signing_key, original["saved"], b"".join(tampered))  # type: ignore[arg-type]
    assert seq is not None
    assert seq <= index


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    batches=st.lists(
        st.lists(st.dictionaries(st.text(), JSON_VALUES, max_size=5), max_size=6),
        min_size=1,
        max_size=4,
    )
)
def test_any_payloads_and_reopens_give_a_log_that_verifies(
    tmp_path_factory: pytest.TempPathFactory, signing_key: SigningKey, batches: list[list[dict]]
) -> None:
    """Arbitrary JSON payloads, appended across several reopenings, verify and read back equal."""
    path = tmp_path_factory.mktemp("roundtrip") / "evidence.log"
    for batch in batches:
        with EvidenceLog.open(path, key=signing_key, sync="batch", checkpoint_every=3) as log:
            for payload in batch:
                log.append("capture.fuzz", payload)
    report = verify(path, signing_key.verifier())
    assert report.ok, report.summary()
    read_back = [r.payload for r in read_records(path) if r.type == "capture.fuzz"]
    assert read_back == [payload for batch in batches for payload in batch]
