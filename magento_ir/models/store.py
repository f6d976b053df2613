"""Store and platform inventory: store configs, websites, store views and groups, modules."""

from typing import Self

from pydantic import TypeAdapter

from magento_ir.models._base import MagentoModel

__all__ = ["Module", "StoreConfig", "StoreGroup", "StoreView", "Website"]


class StoreConfig(MagentoModel):
    """One store view's configuration from `GET /V1/store/storeConfigs`: the URLs here are the
    baseline for base-URL tampering checks."""

    id: int
    code: str
    website_id: int | None = None
    locale: str | None = None
    base_currency_code: str | None = None
    default_display_currency_code: str | None = None
    timezone: str | None = None
    weight_unit: str | None = None
    base_url: str | None = None
    base_link_url: str | None = None
    base_static_url: str | None = None
    base_media_url: str | None = None
    secure_base_url: str | None = None
    secure_base_link_url: str | None = None
    secure_base_static_url: str | None = None
    secure_base_media_url: str | None = None


class Website(MagentoModel):
    """A website; the list always includes `admin` (id 0)."""

    id: int
    code: str
    name: str | None = None
    default_group_id: int | None = None


class StoreView(MagentoModel):
    """A store view (`StoreInterface`); `is_active` is an int flag on the wire."""

    id: int
    code: str
    name: str | None = None
    website_id: int | None = None
    store_group_id: int | None = None
    is_active: int | None = None


class StoreGroup(MagentoModel):
    """A store (group) of a website (`GroupInterface`)."""

    id: int
    website_id: int | None = None
    root_category_id: int | None = None
    default_store_id: int | None = None
    name: str | None = None
    code: str | None = None


_MODULE_NAMES = TypeAdapter(list[str])


class Module(MagentoModel):
    """One enabled module, e.g. `Magento_Catalog` or a third-party `PayPal_Braintree`.

    `GET /V1/modules` answers a JSON array of names, not objects: build the list with
    `Module.list_from_response(body)`.
    """

    name: str

    @classmethod
    def list_from_response(cls, body: object) -> list[Self]:
        """Modules from the JSON array of names that `GET /V1/modules` returns.

        Raises pydantic's `ValidationError` when `body` is not a list of strings.
        """
        return [cls(name=name) for name in _MODULE_NAMES.validate_python(body)]

    @property
    def vendor(self) -> str:
        """The part before the first underscore: `Magento`, `PayPal`, `Swissup`..."""
        return self.name.partition("_")[0]
