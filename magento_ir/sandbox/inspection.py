"""Read-only views of a sandbox's state for tests and drills (copies: changing them changes
nothing)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from magento_ir.sandbox.state import USER_TYPE_ADMIN, USER_TYPE_CUSTOMER

if TYPE_CHECKING:
    from magento_ir.sandbox.app import IssuedToken, Sandbox

__all__ = ["Inspector"]


class Inspector:
    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox

    def live_tokens(self, user_type: int | None = None) -> list[IssuedToken]:
        """Issued tokens that still work: not expired, not revoked, user still active."""
        sandbox = self._sandbox
        now = sandbox.now()
        with sandbox.lock:
            state = sandbox.state
            live = []
            for token in sandbox.issued_tokens:
                if user_type is not None and token.user_type != user_type:
                    continue
                if token.expires_at <= now:
                    continue
                cutoff = state.token_cutoff(token.user_type, token.user_id)
                if token.issued_at <= cutoff:
                    continue
                if token.user_type == USER_TYPE_ADMIN:
                    user = state.admin_users.get(token.user_id)
                    if user is None or not user.is_active:
                        continue
                if token.user_type == USER_TYPE_CUSTOMER and token.user_id not in state.customers:
                    continue
                live.append(token)
            return live

    def customer_sessions(self, customer_id: int | None = None) -> list[dict[str, Any]]:
        """Storefront sessions still valid (created after the customer's session cut-off)."""
        with self._sandbox.lock:
            state = self._sandbox.state
            sessions = []
            for session in state.customer_sessions.values():
                if customer_id is not None and session.customer_id != customer_id:
                    continue
                cutoff = state.session_cutoff(session.customer_id)
                if cutoff is not None and session.created_at <= cutoff:
                    continue
                sessions.append(
                    {
                        "customer_id": session.customer_id,
                        "created_at": session.created_at,
                        "last_visit_at": session.last_visit_at,
                    }
                )
            return sessions

    def admin_sessions(self) -> list[dict[str, Any]]:
        with self._sandbox.lock:
            return [
                {
                    "id": session.id,
                    "user_id": session.user_id,
                    "status": session.status,
                    "created_at": session.created_at,
                    "updated_at": session.updated_at,
                    "ip": session.ip,
                }
                for session in self._sandbox.state.admin_sessions.values()
            ]

    def product_status(self, sku: str) -> dict[str, int]:
        """Effective `status` per store code (`admin` = the store-0 default value)."""
        with self._sandbox.lock:
            state = self._sandbox.state
            product_id = state.product_id_for_sku(sku)
            if product_id is None:
                raise KeyError(f"no product with sku {sku!r}")
            return {
                store.code: state.product_status(product_id, store.id)
                for store in state.stores.values()
            }

    def product_store_overrides(self, sku: str) -> dict[str, dict[str, Any]]:
        """Store-view override rows of a product (what the store-view scope trap leaves behind)."""
        with self._sandbox.lock:
            state = self._sandbox.state
            product_id = state.product_id_for_sku(sku)
            return {
                state.stores[store_id].code: dict(values)
                for (entity_id, store_id), values in state.product_store_values.items()
                if entity_id == product_id
            }

    def config_value(self, path: str, store_code: str | None = None) -> str | None:
        """The effective value at a store view (default scope when `store_code` is None)."""
        with self._sandbox.lock:
            state = self._sandbox.state
            if store_code is None:
                return state.config_value(path)
            store = state.store_by_code(store_code)
            if store is None:
                raise KeyError(f"no store view {store_code!r}")
            return state.config_value(path, store.id)

    def request_counts(self) -> dict[str, int]:
        """Requests per route (`"GET /V1/orders/:id"`), including unmatched and faulted ones."""
        with self._sandbox.lock:
            return dict(self._sandbox.request_counts)

    def action_log(self) -> list[dict[str, Any]]:
        """The companion module's action log, oldest first."""
        with self._sandbox.lock:
            return copy.deepcopy(self._sandbox.state.action_log)

    def sent_emails(self) -> list[dict[str, Any]]:
        with self._sandbox.lock:
            return copy.deepcopy(self._sandbox.state.sent_emails)

    def integration_credentials(self, name: str) -> dict[str, str]:
        """Consumer key/secret and access token/secret of an integration (for signing tests)."""
        with self._sandbox.lock:
            for integration in self._sandbox.state.integrations.values():
                if integration.name == name:
                    return {
                        "consumer_key": integration.consumer_key,
                        "consumer_secret": integration.consumer_secret,
                        "access_token": integration.access_token,
                        "access_token_secret": integration.access_token_secret,
                    }
        raise KeyError(f"no integration named {name!r}")

    def admin_totp_secret(self, username: str | None = None) -> str | None:
        with self._sandbox.lock:
            user = self._sandbox.state.admin_by_username(
                username or self._sandbox.options.admin_user
            )
            return None if user is None else user.totp_secret

    # --- storefront and the companion module -------------------------------------------------
    def module_maintenance(self) -> dict[str, Any]:
        """The maintenance state as the module's GET maintenance reports it."""
        from magento_ir.sandbox.module_api import maintenance_state  # noqa: PLC0415 - route module

        with self._sandbox.lock:
            return maintenance_state(self._sandbox.state)

    def quarantined_skus(self) -> list[str]:
        """SKUs in an active (not released) module quarantine."""
        with self._sandbox.lock:
            return sorted(
                sku
                for quarantine in self._sandbox.state.incident_response.quarantines.values()
                for product_id, (sku, _prior) in quarantine.products.items()
                if product_id not in quarantine.released
            )

    def persistent_sessions(self) -> list[int]:
        """Customer ids with a "remember me" (persistent_session) row."""
        with self._sandbox.lock:
            return sorted(self._sandbox.state.persistent_sessions.values())

    def active_payment_methods(self, store_code: str | None = None) -> list[str]:
        """Payment method codes checkout offers a cart that costs something on a store view
        (default store when None)."""
        from magento_ir.sandbox.storefront import active_payment_methods  # noqa: PLC0415

        with self._sandbox.lock:
            state = self._sandbox.state
            store = state.default_store if store_code is None else state.store_by_code(store_code)
            if store is None:
                raise KeyError(f"no store view {store_code!r}")
            return [code for code, _title in active_payment_methods(state, store.id, 1.0)]

    def digest(self) -> str:
        """A stable digest of the whole store: equal before and after means nothing changed."""
        with self._sandbox.lock:
            return self._sandbox.state.digest()
