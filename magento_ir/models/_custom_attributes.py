"""`custom_attributes`: Magento's list of `{attribute_code, value}` pairs and helpers to read it."""

from pydantic import JsonValue

from magento_ir.models._base import MagentoModel

__all__ = ["CustomAttribute", "HasCustomAttributes"]


class CustomAttribute(MagentoModel):
    """One EAV attribute value. Magento sends most values as strings (`"tax_class_id": "2"`), some
    as lists (`category_ids`); the value is kept exactly as sent."""

    attribute_code: str
    value: JsonValue


class HasCustomAttributes(MagentoModel):
    """An entity with `custom_attributes` (Magento omits the key when there are none)."""

    custom_attributes: list[CustomAttribute] | None = None

    def custom_attribute(self, code: str) -> JsonValue:
        """The value of attribute `code` as Magento sent it, or None when the entity lacks it."""
        for attribute in self.custom_attributes or ():
            if attribute.attribute_code == code:
                return attribute.value
        return None

    @property
    def custom_attributes_dict(self) -> dict[str, JsonValue]:
        """All custom attributes as `{attribute_code: value}` (a new dict on every access)."""
        return {
            attribute.attribute_code: attribute.value for attribute in self.custom_attributes or ()
        }
