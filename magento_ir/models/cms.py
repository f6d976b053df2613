"""CMS models (`Magento\\Cms\\Api\\Data\\BlockInterface`, `PageInterface`): where skimmers hide."""

from magento_ir.models._base import MagentoDateTime, MagentoModel

__all__ = ["CmsBlock", "CmsPage"]


class CmsBlock(MagentoModel):
    """A CMS block. `content` is raw HTML as stored, scripts included."""

    id: int | None = None
    identifier: str
    title: str | None = None
    content: str | None = None
    creation_time: MagentoDateTime | None = None
    update_time: MagentoDateTime | None = None
    active: bool | None = None


class CmsPage(MagentoModel):
    """A CMS page. `sort_order` is a string on the wire (`"0"`) and stays one.

    `custom_theme_from` / `custom_theme_to` are calendar dates ("YYYY-MM-DD") kept as strings.
    """

    id: int | None = None
    identifier: str
    title: str | None = None
    page_layout: str | None = None
    meta_title: str | None = None
    meta_keywords: str | None = None
    meta_description: str | None = None
    content_heading: str | None = None
    content: str | None = None
    creation_time: MagentoDateTime | None = None
    update_time: MagentoDateTime | None = None
    sort_order: str | None = None
    layout_update_xml: str | None = None
    custom_theme: str | None = None
    custom_root_template: str | None = None
    custom_layout_update_xml: str | None = None
    custom_theme_from: str | None = None
    custom_theme_to: str | None = None
    active: bool | None = None
