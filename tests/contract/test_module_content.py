"""`GET /V1/incident-response/content` on both backends, and the skimmer scan over what it reads.

A widget instance (with its page group's layout update and layout link) and an e-mail template
are planted where an attacker with the database puts them: rows in widget_instance,
widget_instance_page, layout_update, widget_instance_page_layout, layout_link and
email_template on a real store (MAGENTO_IR_TEST_MAGENTO_ROOT), the same rows in the sandbox's
state. Both backends must answer the same items; the scan must find both skimmers; the rows and
the tables' AUTO_INCREMENT counters are put back exactly.
"""

from __future__ import annotations

import asyncio
import html
import json
import secrets
from typing import TYPE_CHECKING, Any

import pytest

from magento_ir.detect import collect_targets, magecart_inputs, scan
from magento_ir.detect.scan import AllowList
from magento_ir.drill._staging import SKIMMER_SCRIPT
from tests.contract._module import ModuleStore, error_of, module_store
from tests.real_store_sql import sql

if TYPE_CHECKING:
    from collections.abc import Iterator

    from magento_ir.detect.scan import CollectedTargets
    from magento_ir.testing import MagentoStore

__all__ = ["module_store"]  # the fixture this module uses
pytestmark = pytest.mark.magento_sandbox(with_module=True)

ID = 900_001  # far above anything a test store holds: the planted rows are ours alone
TABLES = (
    "widget_instance",
    "widget_instance_page",
    "widget_instance_page_layout",
    "layout_update",
    "layout_link",
    "email_template",
)
WIDGET_TYPE = "Magento\\Cms\\Block\\Widget\\Block"
# Magento's JSON serializer escapes '/'; the scan must decode it.
PARAMETERS = json.dumps({"block_id": "1", "title": SKIMMER_SCRIPT}).replace("/", "\\/")
# As Magento writes a widget's page group: each option a setData, its value HTML-escaped.
LAYOUT_XML = (
    '<body><referenceContainer name="footer"><block class="Magento\\Cms\\Block\\Widget\\Block" '
    'name="ir0contract"><action method="setData"><argument name="name" xsi:type="string">title'
    '</argument><argument name="value" xsi:type="string">'
    + html.escape(SKIMMER_SCRIPT)
    + "</argument></action></block></referenceContainer></body>"
)
TEMPLATE_TEXT = '<p class="greeting">Thank you for your order.</p>' + SKIMMER_SCRIPT
MODIFIED_AT = "2026-11-30 04:12:09"
INSERTS = (
    (
        "INSERT INTO widget_instance (instance_id, instance_type, theme_id, title, store_ids, "
        "widget_parameters, sort_order) VALUES (?, ?, 3, ?, '0,1', ?, 0)"
    ),
    (
        "INSERT INTO widget_instance_page (page_id, instance_id, page_group, layout_handle, "
        "block_reference, page_for, entities, page_template) VALUES (?, ?, 'all_pages', 'default', "
        "'footer', 'all', '', 'widget/static_block/default.phtml')"
    ),
    (
        "INSERT INTO layout_update (layout_update_id, handle, xml, sort_order) "
        "VALUES (?, 'default', ?, 0)"
    ),
    "INSERT INTO widget_instance_page_layout (page_id, layout_update_id) VALUES (?, ?)",
    (
        "INSERT INTO layout_link (layout_link_id, store_id, theme_id, layout_update_id, "
        "is_temporary) VALUES (?, 1, 3, ?, 0)"
    ),
    (
        "INSERT INTO email_template (template_id, template_code, template_text, template_type, "
        "template_subject, orig_template_code, added_at, modified_at) "
        "VALUES (?, ?, ?, 2, 'Your order', 'sales_email_order_template', ?, ?)"
    ),
)
INVALID = 'Invalid value of "%value" provided for the %fieldName field.'


def _expected(title: str) -> dict[str, dict[str, Any]]:
    return {
        "widget_instance": {
            "entity_type": "widget_instance",
            "entity_id": ID,
            "identifier": title,
            "store_ids": [0, 1],
            "theme_ids": [3],
            "fields": [
                {"name": "instance_type", "value": WIDGET_TYPE},
                {"name": "widget_parameters", "value": PARAMETERS},
            ],
        },
        "layout_update": {
            "entity_type": "layout_update",
            "entity_id": ID,
            "identifier": "default",
            "store_ids": [1],
            "theme_ids": [3],
            "widget_instance_id": ID,
            "fields": [{"name": "xml", "value": LAYOUT_XML}],
        },
        "email_template": {
            "entity_type": "email_template",
            "entity_id": ID,
            "identifier": title,
            "store_ids": [],
            "theme_ids": [],
            "updated_at": MODIFIED_AT,
            "fields": [
                {"name": "template_subject", "value": "Your order"},
                {"name": "template_text", "value": TEMPLATE_TEXT},
                {"name": "orig_template_code", "value": "sales_email_order_template"},
            ],
        },
    }


class _Planted:
    """The rows, in the real store's database or the sandbox's state."""

    def __init__(self, store: MagentoStore) -> None:
        self.store = store
        self.root = store.magento_root
        if store.is_real and self.root is None:
            pytest.skip(
                "needs MAGENTO_IR_TEST_MAGENTO_ROOT: the rows are written in the store's database"
            )
        self.title = f"ir-contract-{secrets.token_hex(4)}"
        self.before = self.counters() if self.root is not None else []

    def counters(self) -> list[dict[str, str]]:
        assert self.root is not None
        return sql(
            self.root,
            "SELECT TABLE_NAME, AUTO_INCREMENT FROM information_schema.TABLES WHERE "
            "TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?, ?, ?, ?, ?, ?) ORDER BY TABLE_NAME",
            *TABLES,
        )

    def plant(self) -> None:
        if self.root is None:
            sandbox = self.store.sandbox
            assert sandbox is not None
            with sandbox.lock:
                for kind, item in _expected(self.title).items():
                    sandbox.state.store_content.setdefault(kind, {})[ID] = item
            return
        i = str(ID)
        values = (
            (i, WIDGET_TYPE, self.title, PARAMETERS),
            (i, i),
            (i, LAYOUT_XML),
            (i, i),
            (i, i),
            (i, self.title, TEMPLATE_TEXT, MODIFIED_AT, MODIFIED_AT),
        )
        for statement, params in zip(INSERTS, values, strict=True):
            sql(self.root, statement, *params)

    def remove(self) -> None:
        if self.root is None:
            sandbox = self.store.sandbox
            assert sandbox is not None
            with sandbox.lock:
                for rows in sandbox.state.store_content.values():
                    rows.pop(ID, None)
            return
        # The foreign keys cascade to the page group, its layout link and the layout link.
        for table, key in (
            ("widget_instance", "instance_id"),
            ("layout_update", "layout_update_id"),
            ("email_template", "template_id"),
        ):
            sql(self.root, f"DELETE FROM {table} WHERE {key} = ?", str(ID))  # noqa: S608
        for row in self.before:  # the counters as they were (the inserts moved them past ID)
            if row["AUTO_INCREMENT"] is not None:  # widget_instance_page_layout has none
                counter = int(row["AUTO_INCREMENT"])
                sql(self.root, f"ALTER TABLE {row['TABLE_NAME']} AUTO_INCREMENT = {counter}")


@pytest.fixture
def planted(magento_store: MagentoStore) -> Iterator[_Planted]:
    rows = _Planted(magento_store)
    rows.plant()
    try:
        yield rows
    finally:
        rows.remove()
    if rows.root is not None:
        left = sql(
            rows.root, "SELECT template_id FROM email_template WHERE template_id = ?", str(ID)
        )
        assert left == []
        assert rows.counters() == rows.before


def test_content_answers_the_planted_rows_as_stored(
    magento_store: MagentoStore, planted: _Planted
) -> None:
    """Each type, paged after the cursor: exactly the planted row, then an empty page."""
    api = magento_store.client().incident_response
    for kind, item in _expected(planted.title).items():
        page = api.store_content(kind, ID - 1, page_size=1)  # type: ignore[arg-type]
        assert [row.model_dump(exclude_none=True) for row in page.items] == [item]
        assert page.last_entity_id == ID
        after = api.store_content(kind, ID)  # type: ignore[arg-type]
        assert (after.items, after.last_entity_id) == ([], ID)


def test_scan_finds_the_skimmers_in_the_widget_layout_update_and_template(
    magento_store: MagentoStore, planted: _Planted
) -> None:
    """collect_targets reads the planted rows; each skimmer is named by entity and field."""

    async def collect() -> CollectedTargets:
        async with magento_store.async_client() as client:
            return await collect_targets(client)

    collected = asyncio.run(collect())
    assert collected.notes == []
    allow = AllowList().with_store(magento_store.base_url, *collected.store_urls)
    findings = [f for f in scan(collected.targets, allow) if f.entity_id == str(ID)]
    assert {(f.rule, f.entity_type, f.field) for f in findings} >= {
        ("external-script-host", "widget_instance", "widget_parameters.title"),
        ("external-script-host", "layout_update", "xml"),
        ("external-script-host", "email_template", "template_text"),
    }
    assert all(f.identifier in {planted.title, "default"} for f in findings)
    inputs = magecart_inputs(findings)
    assert inputs["widget_instance_ids_to_clean"] == [ID]
    assert inputs["layout_update_ids_to_clean"] == [ID]
    assert inputs["email_template_ids_to_clean"] == [ID]


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({}, {"message": '"%fieldName" is required. Enter and try again.',
              "parameters": {"fieldName": "type"}}),
        ({"type": "cms_block"},
         {"message": INVALID, "parameters": {"value": "cms_block", "fieldName": "type"}}),
        ({"type": "email_template", "pageSize": 501},
         {"message": INVALID, "parameters": {"value": "501", "fieldName": "pageSize"}}),
        ({"type": "layout_update", "afterId": -1},
         {"message": INVALID, "parameters": {"value": "-1", "fieldName": "afterId"}}),
        ({"type": "widget_instance", "pageSize": "abc"},
         {"message": 'The "abc" value\'s type is invalid. The "int" type was expected. '
                     "Verify and try again."}),
    ],
)  # fmt: skip
def test_content_refuses_bad_input_as_magento_does(
    module_store: ModuleStore, params: dict[str, Any], error: dict[str, Any]
) -> None:
    response = module_store.call("GET", "/content", params=params)
    assert response.status_code == 400, response.text
    assert error_of(response) == error
