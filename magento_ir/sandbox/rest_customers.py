"""Customer routes: get, search, create, save, delete, password reset e-mail and reset, `me`."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from magento_ir.sandbox import auth, columns
from magento_ir.sandbox.errors import WebapiError, integer_param, no_such_entity, required_field
from magento_ir.sandbox.routing import Call, RouteTable
from magento_ir.sandbox.search import search_response
from magento_ir.sandbox.state import USER_TYPE_CUSTOMER, StoreState, hash_password, magento_time

if TYPE_CHECKING:
    from magento_ir.sandbox.messages import JsonValue

__all__ = ["routes", "serialize_customer"]

routes = RouteTable()
CUSTOMER_FIELDS = frozenset(
    {
        "id",
        "group_id",
        "default_billing",
        "default_shipping",
        "confirmation",
        "created_at",
        "updated_at",
        "created_in",
        "dob",
        "email",
        "firstname",
        "lastname",
        "middlename",
        "prefix",
        "suffix",
        "gender",
        "store_id",
        "taxvat",
        "website_id",
        "addresses",
        "disable_auto_group_change",
        "extension_attributes",
        "custom_attributes",
    }
)
_OPTIONAL_OUTPUT = ("dob", "middlename", "prefix", "suffix", "gender", "taxvat", "confirmation")
_RESET_TEMPLATES = ("email_reset", "email_reminder")


def serialize_customer(row: dict[str, Any]) -> dict[str, Any]:
    customer: dict[str, Any] = {"id": row["id"], "group_id": row["group_id"]}
    for field in ("default_billing", "default_shipping", "confirmation"):
        if row.get(field) is not None:
            customer[field] = row[field]
    for field in ("created_at", "updated_at", "created_in"):
        customer[field] = row[field]
    if row.get("dob") is not None:
        customer["dob"] = row["dob"]
    customer["email"] = row["email"]
    customer["firstname"] = row["firstname"]
    customer["lastname"] = row["lastname"]
    for field in ("middlename", "prefix", "suffix", "gender"):
        if row.get(field) is not None:
            customer[field] = row[field]
    customer["store_id"] = row["store_id"]
    if row.get("taxvat") is not None:
        customer["taxvat"] = row["taxvat"]
    customer["website_id"] = row["website_id"]
    customer["addresses"] = list(row.get("addresses", []))
    customer["disable_auto_group_change"] = row["disable_auto_group_change"]
    customer["extension_attributes"] = {"is_subscribed": bool(row.get("is_subscribed", False))}
    return customer


def find_customer(state: StoreState, customer_id: int) -> dict[str, Any]:
    row = state.customers.get(customer_id)
    if row is None:
        raise no_such_entity("customerId", customer_id)
    return row


def _customer_value(row: dict[str, Any], field: str) -> JsonValue:
    if field == "entity_id":
        return row["id"]
    return row.get(field)


def _self_id(call: Call) -> int:
    if call.caller.user_type != USER_TYPE_CUSTOMER or call.caller.user_id is None:
        raise required_field("customerId")
    return call.caller.user_id


@routes.rest("GET", "/V1/customers/search", acl="Magento_Customer::customer", search=True)
def search_customers(call: Call) -> JsonValue:
    state = call.state
    return search_response(
        query=call.query,
        config_value=state.config_value,
        rows=state.customers.rows,
        count=lambda: len(state.customers),
        value_of=_customer_value,
        serialize=serialize_customer,
        window=state.customers.rows_between,
        keyed=state.customers.keyed_access(
            frozenset({"id", "entity_id"}), columns.CUSTOMER.names, unlocked=call.sandbox.unlocked
        ),
        columns=columns.CUSTOMER,
    )


@routes.rest("GET", "/V1/customers/me", acl="self")
def get_me(call: Call) -> JsonValue:
    return serialize_customer(find_customer(call.state, _self_id(call)))


@routes.rest("GET", "/V1/customers/:customerId", acl="Magento_Customer::customer")
def get_customer(call: Call) -> JsonValue:
    return serialize_customer(find_customer(call.state, integer_param(call.params["customerId"])))


@routes.rest(
    "PUT",
    "/V1/customers/:customerId",
    acl="Magento_Customer::manage",
    body={"customer": CUSTOMER_FIELDS, "passwordHash": None},
    required=("customer",),
    put_binds="customer.id",
)
def put_customer(call: Call) -> JsonValue:
    state = call.state
    customer_id = integer_param(call.params["customerId"])
    existing = find_customer(state, customer_id)
    data = call.body["customer"]
    for field in ("firstname", "lastname", "email"):
        if not data.get(field):
            raise required_field(field)
    email = str(data["email"])
    other = state.customer_id_for_email(email)
    if other is not None and other != customer_id:
        raise WebapiError(
            400, "A customer with the same email address already exists in an associated website."
        )
    row = dict(existing)
    for field in CUSTOMER_FIELDS - {"id", "created_at", "updated_at", "extension_attributes"}:
        if field in data:
            row[field] = data[field]
    extension = data.get("extension_attributes")
    if isinstance(extension, dict) and "is_subscribed" in extension:
        row["is_subscribed"] = bool(extension["is_subscribed"])
    row["updated_at"] = magento_time(call.now)
    if existing["email"].lower() != email.lower():
        state.email_index.pop(existing["email"].lower(), None)
    state.email_index[email.lower()] = customer_id
    state.customers.put(customer_id, row)
    return serialize_customer(row)


@routes.rest(
    "POST",
    "/V1/customers",
    acl="Magento_Customer::manage",
    body={"customer": CUSTOMER_FIELDS, "password": None, "redirectUrl": None},
    required=("customer",),
)
def create_customer(call: Call) -> JsonValue:
    """AccountManagementInterface::createAccount: a new account, with a password when given."""
    state = call.state
    data = call.body["customer"]
    for field in ("firstname", "lastname", "email"):
        if not data.get(field):
            raise required_field(field)
    email = str(data["email"])
    if state.customer_id_for_email(email) is not None:
        raise WebapiError(
            400, "A customer with the same email address already exists in an associated website."
        )
    customer_id = state.customers.next_id()
    now = magento_time(call.now)
    row: dict[str, Any] = {
        "id": customer_id,
        "group_id": 1,
        "created_at": now,
        "updated_at": now,
        "created_in": "Default Store View",
        "store_id": 1,
        "website_id": 1,
        "addresses": [],
        "disable_auto_group_change": 0,
        "is_subscribed": False,
        "is_active": 1,
    }
    for field in CUSTOMER_FIELDS - {"id", "created_at", "updated_at", "extension_attributes"}:
        if field in data:
            row[field] = data[field]
    state.customers.put(customer_id, row)
    state.email_index[email.lower()] = customer_id
    if call.body.get("password"):
        _set_password(state, customer_id, str(call.body["password"]), call.now)
    return serialize_customer(row)


@routes.rest("DELETE", "/V1/customers/:customerId", acl="Magento_Customer::delete")
def delete_customer(call: Call) -> JsonValue:
    state = call.state
    customer_id = integer_param(call.params["customerId"])
    row = find_customer(state, customer_id)
    state.customers.delete(customer_id)
    state.email_index.pop(row["email"].lower(), None)
    # Magento\Integration\Plugin\Model\CustomerUser: deleting a customer revokes its tokens.
    state.revoked_before[(USER_TYPE_CUSTOMER, customer_id)] = int(call.now)
    return True


@routes.rest(
    "PUT",
    "/V1/customers/password",
    acl="anonymous",
    body={"email": None, "template": None, "websiteId": None},
    required=("email", "template"),
)
def send_password_reset(call: Call) -> JsonValue:
    state = call.state
    email = str(call.body["email"])
    website_id = call.body.get("websiteId")
    if website_id is None:
        # Magento reads the store's website id from the store model: a string.
        website_id = str(call.store.website_id)
    customer_id = state.customer_id_for_email(email)
    row = state.customers.get(customer_id) if customer_id is not None else None
    if customer_id is None or row is None or str(row["website_id"]) != str(website_id):
        raise WebapiError(
            404,
            "No such entity with %fieldName = %fieldValue, %field2Name = %field2Value",
            {
                "fieldName": "email",
                "fieldValue": email,
                "field2Name": "websiteId",
                "field2Value": website_id,
            },
        )
    # The new reset token is stored before the template is checked (every call kills old links).
    state.password_reset_tokens[customer_id] = secrets.token_hex(16)
    template = call.body["template"]
    if template not in _RESET_TEMPLATES:
        raise WebapiError(
            400,
            'Invalid value of "%value" provided for the %fieldName field. '
            "Possible values: %template1 or %template2.",
            {
                "value": template,
                "fieldName": "template",
                "template1": "email_reminder",
                "template2": "email_reset",
            },
        )
    state.sent_emails.append({"to": email, "template": template, "customer_id": customer_id})
    return True


@routes.rest(
    "POST",
    "/V1/customers/resetPassword",
    acl="anonymous",
    body={"email": None, "resetToken": None, "newPassword": None},
    required=("email", "resetToken", "newPassword"),
)
def reset_password(call: Call) -> JsonValue:
    state = call.state
    customer_id = state.customer_id_for_email(str(call.body["email"]))
    expected = state.password_reset_tokens.get(customer_id) if customer_id is not None else None
    if customer_id is None or expected is None or expected != call.body["resetToken"]:
        raise WebapiError(400, "The password token is mismatched. Reset and try again.")
    _set_password(state, customer_id, str(call.body["newPassword"]), call.now)
    del state.password_reset_tokens[customer_id]
    return True


@routes.rest(
    "PUT",
    "/V1/customers/me/password",
    acl="self",
    body={"currentPassword": None, "newPassword": None},
    required=("currentPassword", "newPassword"),
)
def change_my_password(call: Call) -> JsonValue:
    customer_id = _self_id(call)
    if not auth.verify_customer_password(
        call.state, customer_id, str(call.body["currentPassword"])
    ):
        raise WebapiError(
            401, "The password doesn't match this account. Verify the password and try again."
        )
    _set_password(call.state, customer_id, str(call.body["newPassword"]), call.now)
    return True


def _set_password(state: StoreState, customer_id: int, password: str, now: float) -> None:
    state.customer_password_hashes[customer_id] = hash_password(password, state.password_salt)
    # SessionCleaner::clearFor: storefront sessions die, JWTs do not.
    state.customer_session_cutoff[customer_id] = now
