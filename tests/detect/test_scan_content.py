"""Widget instances, layout updates and e-mail templates: what the module's content read returns
becomes scan targets (decoded as Magento renders them), and the scan names entity, field and why."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from magento_ir import AsyncMagentoClient, AuthenticationError, BearerToken
from magento_ir.detect import AllowList, magecart_inputs, scan
from magento_ir.detect.scan import CollectedTargets, _collect_content, content_targets
from magento_ir.models.incident_response import StoreContent

STORE = AllowList().with_store("https://shop.example.com/")
SKIMMER = '<script src="https://cdn-jquery-min.example.org/jquery-3.7.1.min.js"></script>'


def _item(entity_type: str, fields: dict[str, str], **extra: Any) -> StoreContent:
    return StoreContent.model_validate(
        {
            "entity_type": entity_type,
            "entity_id": 7,
            "identifier": "case",
            "store_ids": [0],
            "theme_ids": [3],
            "fields": [{"name": name, "value": value} for name, value in fields.items()],
            **extra,
        }
    )


def _rules(entity_type: str, fields: dict[str, str]) -> dict[str, set[str]]:
    """field -> rule ids found in it."""
    found: dict[str, set[str]] = {}
    for finding in scan(content_targets(_item(entity_type, fields)), STORE):
        assert finding.entity_type == entity_type
        found.setdefault(finding.field, set()).add(finding.rule)
    return found


def test_a_skimmer_in_a_widget_parameter_is_found_through_magentos_json() -> None:
    """Magento's JSON escapes '/' (and may escape '<'): each option is decoded and scanned."""
    parameters = json.dumps({"block_id": "1", "title": SKIMMER, "nested": {"note": "<p>ok</p>"}})
    escaped = parameters.replace("/", "\\/").replace("<", "\\u003c")
    assert "<script" not in escaped
    found = _rules("widget_instance", {"instance_type": "X\\Y", "widget_parameters": escaped})
    assert found == {"widget_parameters.title": {"external-script-host", "mir-skim-lookalike-host"}}


def test_widget_parameters_that_are_not_json_are_scanned_as_text() -> None:
    found = _rules("widget_instance", {"widget_parameters": "{broken " + SKIMMER})
    assert set(found) == {"widget_parameters"}


@pytest.mark.parametrize(
    ("xml", "rules"),
    [
        pytest.param(
            # What Magento writes for a widget whose option holds a script: HTML-escaped.
            '<body><referenceContainer name="before.body.end"><block class="Magento\\Cms\\Block\\'
            'Widget\\Block" name="a1"><action method="setData"><argument name="name" '
            'xsi:type="string">title</argument><argument name="value" xsi:type="string">'
            "&lt;script src=&quot;https://cdn-jquery-min.example.org/x.js&quot;&gt;&lt;/script&gt;"
            "</argument></action></block></referenceContainer></body>",
            {"external-script-host", "mir-skim-lookalike-host"},
            id="escaped script in a widget's setData",
        ),
        pytest.param(
            '<referenceContainer name="before.body.end"><block class="Magento\\Framework\\View\\'
            'Element\\Text" name="t1"><arguments><argument name="text" xsi:type="string"><![CDATA['
            "<script>eval(atob('ZG9jdW1lbnQ='))</script>]]></argument></arguments></block>"
            "</referenceContainer>",
            {"obfuscated-eval"},
            id="Text block printing an inline script",
        ),
        pytest.param(
            '<head><script src="https://static-analytics.example.org/gtag.js" src_type="url"/>'
            "</head>",
            {"external-script-host"},
            id="page head script from a foreign host",
        ),
        pytest.param(
            '<referenceBlock name="x"><arguments><argument name="y" xsi:type="helper" '
            'helper="Magento\\Framework\\Filesystem\\Io\\File::write"/></arguments></referenceBlock>',
            {"mir-backdoor-layout-xml-php"},
            id="helper argument the admin validator refuses",
        ),
        pytest.param(
            '<referenceBlock name="x"><arguments><argument name="y" xsi:type="array">'
            "<updater>Vendor\\Evil\\Updater</updater></argument></arguments></referenceBlock>",
            {"mir-backdoor-layout-updater"},
            id="updater model the admin validator refuses",
        ),
    ],
)
def test_layout_update_xml(xml: str, rules: set[str]) -> None:
    assert _rules("layout_update", {"xml": xml}) == {"xml": rules}


def test_e_mail_template_body_and_subject() -> None:
    """A script in the body and a template-filter callback in the subject are both found."""
    found = _rules(
        "email_template",
        {
            "template_subject": "{{var this.getTemplateFilter().addAfterFilterCallback(system)}}",
            "template_text": "<p>Thanks</p>" + SKIMMER,
            "orig_template_code": "sales_email_order_template",
        },
    )
    assert found == {
        "template_subject": {"mir-backdoor-template-filter-callback"},
        "template_text": {"external-script-host", "mir-skim-lookalike-host"},
    }


def test_the_sandbox_seed_content_is_clean() -> None:
    """The seeded widget, its layout update and the customised order template: no finding."""
    from magento_ir.sandbox import fixtures  # noqa: PLC0415

    items = [StoreContent.model_validate(i) for v in fixtures.STORE_CONTENT.values() for i in v]
    targets = [target for item in items for target in content_targets(item)]
    assert {t.field for t in targets} >= {"widget_parameters.block_id", "xml", "template_text"}
    assert scan(targets, STORE) == []


def test_findings_go_to_the_inputs_to_clean_by_hand() -> None:
    targets = [
        *content_targets(_item("widget_instance", {"widget_parameters": json.dumps([SKIMMER])})),
        *content_targets(_item("layout_update", {"xml": SKIMMER}, entity_id=12)),
        *content_targets(_item("email_template", {"template_text": SKIMMER}, entity_id=3)),
    ]
    inputs = magecart_inputs(scan(targets, STORE))
    assert inputs["skimmer_block_ids"] == []
    assert inputs["widget_instance_ids_to_clean"] == [7]
    assert inputs["layout_update_ids_to_clean"] == [12]
    assert inputs["email_template_ids_to_clean"] == [3]


def test_a_401_for_another_reason_is_raised_not_noted() -> None:
    """A revoked token is not a missing resource: the error propagates."""
    body = {"message": "The consumer isn't authorized to access %resources.",
            "parameters": {"resources": "Magento_Cms::block"}}  # fmt: skip
    transport = httpx.MockTransport(lambda _request: httpx.Response(401, json=body))

    async def collect() -> None:
        async with AsyncMagentoClient(
            "https://shop.example.com", auth=BearerToken("t"), transport=transport
        ) as client:
            await _collect_content(client, CollectedTargets())

    with pytest.raises(AuthenticationError):
        asyncio.run(collect())


@pytest.mark.parametrize(
    ("status", "body", "note"),
    [
        (404, {"message": "Request does not match any route."}, "older than its content read"),
        (
            401,
            {
                "message": "The consumer isn't authorized to access %resources.",
                "parameters": {"resources": "MagentoIr_IncidentResponse::content_view"},
            },
            "lacks the ACL resource MagentoIr_IncidentResponse::content_view",
        ),
    ],
)
def test_a_content_read_that_fails_is_a_note_not_silence(
    status: int, body: dict[str, Any], note: str
) -> None:
    """No content route (an older module) or no ACL resource: the scan says what it did not read."""
    transport = httpx.MockTransport(lambda _request: httpx.Response(status, json=body))

    async def collect() -> CollectedTargets:
        collected = CollectedTargets()
        async with AsyncMagentoClient(
            "https://shop.example.com", auth=BearerToken("t"), transport=transport
        ) as client:
            await _collect_content(client, collected)
        return collected

    collected = asyncio.run(collect())
    assert collected.targets == []
    assert len(collected.notes) == 1
    assert note in collected.notes[0]
