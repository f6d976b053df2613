"""Token routes: admin, customer, customer self-revoke, the Google Authenticator 2FA provider."""

from __future__ import annotations

from typing import TYPE_CHECKING

from magento_ir.sandbox import auth
from magento_ir.sandbox.errors import (
    WebapiError,
    required_field,
    route_not_found,
    sign_in_incorrect,
)
from magento_ir.sandbox.routing import Call, RouteTable
from magento_ir.sandbox.state import (
    USER_TYPE_ADMIN,
    USER_TYPE_CUSTOMER,
    AdminUser,
    magento_time,
    verify_password,
)

if TYPE_CHECKING:
    from magento_ir.sandbox.messages import JsonValue

__all__ = ["routes"]

routes = RouteTable()

_CREDENTIALS = {"username": None, "password": None}


def _credentials(call: Call) -> tuple[str, str]:
    """Magento's CredentialsValidator: both must be non-empty strings, errors aggregated."""
    missing = [
        name
        for name in ("username", "password")
        if not isinstance(call.body.get(name), str) or not call.body[name]
    ]
    if len(missing) == 1:
        raise required_field(missing[0])
    if missing:
        raise WebapiError(
            400,
            "One or more input exceptions have occurred.",
            errors=[
                {
                    "message": '"%fieldName" is required. Enter and try again.',
                    "parameters": {"fieldName": name},
                }
                for name in missing
            ],
        )
    return call.body["username"], call.body["password"]


def _check_admin(call: Call) -> AdminUser:
    username, password = _credentials(call)
    state = call.state
    auth.ensure_not_locked(state, username, USER_TYPE_ADMIN, call.now)
    user = state.admin_by_username(username)
    # No lock_expires check: Magento checks the admin-panel lock only in an adminhtml-area
    # observer (User AuthObserver), so the REST token route still signs a locked admin in.
    if user is None or not verify_password(password, user.salt, user.password_hash):
        auth.record_failure(state, username, USER_TYPE_ADMIN, call.now)
        raise sign_in_incorrect()
    if not user.is_active:
        # User::verifyIdentity throws for an inactive user with the right password inside
        # login(), so AdminTokenService neither logs a throttle failure nor resets the count.
        raise sign_in_incorrect()
    auth.record_success(state, username, USER_TYPE_ADMIN)
    return user


@routes.rest(
    "POST",
    "/V1/integration/admin/token",
    acl="anonymous",
    body=_CREDENTIALS,
    required=("username", "password"),
)
def admin_token(call: Call) -> JsonValue:
    user = _check_admin(call)
    if call.sandbox.options.two_factor:
        # Magento_TwoFactorAuth overrides this route: it checks the password, then always refuses.
        raise WebapiError(
            400,
            "Please use the 2fa provider-specific endpoints to obtain a token.",
            {"active_providers": ["google"]},
        )
    # AdminTokenService calls User::login(), whose recordLogin() counts the sign-in like the
    # admin panel's (admin_user.logdate, lognum): evidence of a stolen login used over REST.
    user.lognum += 1
    user.logdate = magento_time(call.now)
    return call.sandbox.issue_token(USER_TYPE_ADMIN, user.user_id)


@routes.rest(
    "POST",
    "/V1/tfa/provider/google/authenticate",
    acl="anonymous",
    body={"username": None, "password": None, "otp": None},
    required=("username", "password", "otp"),
)
def google_authenticate(call: Call) -> JsonValue:
    if not call.sandbox.options.two_factor:
        raise route_not_found()  # Magento_TwoFactorAuth disabled: its routes do not exist
    user = _check_admin(call)
    otp = call.body["otp"]
    if user.totp_secret is None:
        raise WebapiError(400, "Provider is not allowed.")
    if not isinstance(otp, str) or not auth.totp_matches(user.totp_secret, otp, call.now):
        raise WebapiError(401, "Invalid code.")
    return call.sandbox.issue_token(USER_TYPE_ADMIN, user.user_id)


@routes.rest(
    "POST",
    "/V1/integration/customer/token",
    acl="anonymous",
    body=_CREDENTIALS,
    required=("username", "password"),
)
def customer_token(call: Call) -> JsonValue:
    username, password = _credentials(call)
    state = call.state
    auth.ensure_not_locked(state, username, USER_TYPE_CUSTOMER, call.now)
    customer_id = state.customer_id_for_email(username)
    row = state.customers.get(customer_id) if customer_id is not None else None
    if (
        customer_id is None
        or row is None
        or not row.get("is_active", 1)
        or not auth.verify_customer_password(state, customer_id, password)
    ):
        auth.record_failure(state, username, USER_TYPE_CUSTOMER, call.now)
        raise sign_in_incorrect()
    auth.record_success(state, username, USER_TYPE_CUSTOMER)
    return call.sandbox.issue_token(USER_TYPE_CUSTOMER, customer_id)


@routes.rest("POST", "/V1/integration/customer/revoke-customer-token", acl="self")
def revoke_customer_token(call: Call) -> JsonValue:
    # `customerId` is forced from %customer_id%: only a customer token supplies it.
    if call.caller.user_type != USER_TYPE_CUSTOMER or call.caller.user_id is None:
        raise required_field("customerId")
    call.state.revoked_before[(USER_TYPE_CUSTOMER, call.caller.user_id)] = int(call.now)
    return True
