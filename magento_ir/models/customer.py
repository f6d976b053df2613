"""Customer models (`Magento\\Customer\\Api\\Data\\CustomerInterface`, `AddressInterface`)."""

from pydantic import JsonValue

from magento_ir.models._base import MagentoDateTime, MagentoModel
from magento_ir.models._custom_attributes import HasCustomAttributes

__all__ = ["Customer", "CustomerAddress", "CustomerAddressRegion"]


class CustomerAddressRegion(MagentoModel):
    """`region` of a customer address (`RegionInterface`)."""

    region_code: str | None = None
    region: str | None = None
    region_id: int | None = None


class CustomerAddress(HasCustomAttributes):
    """One address in a customer's address book."""

    id: int | None = None
    customer_id: int | None = None
    region: CustomerAddressRegion | None = None
    region_id: int | None = None
    country_id: str | None = None
    street: list[str] | None = None
    company: str | None = None
    telephone: str | None = None
    fax: str | None = None
    postcode: str | None = None
    city: str | None = None
    firstname: str | None = None
    lastname: str | None = None
    middlename: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    vat_id: str | None = None
    default_shipping: bool | None = None
    default_billing: bool | None = None
    extension_attributes: dict[str, JsonValue] | None = None


class Customer(HasCustomAttributes):
    """A customer account. `email`, `firstname` and `lastname` are the interface's required fields.

    `default_billing` / `default_shipping` are address ids that Magento sends as strings; `dob` is
    kept as Magento's "YYYY-MM-DD" string (a calendar date, not a UTC instant).
    """

    id: int | None = None
    group_id: int | None = None
    default_billing: str | None = None
    default_shipping: str | None = None
    confirmation: str | None = None
    created_at: MagentoDateTime | None = None
    updated_at: MagentoDateTime | None = None
    created_in: str | None = None
    dob: str | None = None
    email: str
    firstname: str
    lastname: str
    middlename: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    gender: int | None = None
    store_id: int | None = None
    taxvat: str | None = None
    website_id: int | None = None
    addresses: list[CustomerAddress] | None = None
    disable_auto_group_change: int | None = None
    extension_attributes: dict[str, JsonValue] | None = None
