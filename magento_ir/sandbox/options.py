"""Sandbox options, validated up front so nonsense fails at once with a clear message."""

from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from magento_ir.sandbox.errors import SandboxConfigError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["LATENCY_PRESETS", "MAX_STORE_VIEWS", "SandboxOptions", "parse_latency"]

# Named latency factors: 0 turns the model off, 1 is a small real Magento 2.4.7 on PHP 8.2.
LATENCY_PRESETS = {"0": 0.0, "none": 0.0, "off": 0.0, "real": 1.0}
MAX_STORE_VIEWS = 6


def parse_latency(value: float | str) -> float:
    """A latency factor from a number or a preset name (`real`, `0`, `none`)."""
    if isinstance(value, str):
        preset = LATENCY_PRESETS.get(value.strip().lower())
        if preset is not None:
            return preset
        try:
            value = float(value)
        except ValueError:
            names = ", ".join(sorted(LATENCY_PRESETS))
            raise SandboxConfigError(
                f"latency must be a factor >= 0 or one of {names}; got {value!r}"
            ) from None
    if isinstance(value, bool) or not value >= 0 or value == float("inf"):
        raise SandboxConfigError(f"latency factor must be a finite number >= 0; got {value!r}")
    return float(value)


@dataclass(frozen=True, slots=True)
class SandboxOptions:
    """How to build the store. Sizes are generated entities added to the reference fixtures."""

    seed: int = 0
    products: int = 0
    customers: int = 0
    orders: int = 0
    store_views: int = 1
    with_module: bool = False
    latency: float | str = 0.0
    workers: int = 4
    admin_user: str = "admin"
    admin_password: str = field(default="Sandbox123!", repr=False)
    customer_password: str = field(default="Customer123!", repr=False)
    two_factor: bool = False
    # Base32 Google Authenticator secret of the default admin when two_factor is on.
    totp_secret: str | None = field(default=None, repr=False)
    developer_mode: bool = False
    integration_as_bearer: bool = False
    # Run async/bulk operations as soon as they are queued instead of on `run_consumers()`.
    run_consumers_immediately: bool = False
    clock: Callable[[], float] = field(default=time.time, repr=False)

    def __post_init__(self) -> None:
        self._check_sizes()
        parse_latency(self.latency)
        self._check_credentials()
        if not callable(self.clock):
            raise SandboxConfigError("clock must be a callable returning unix seconds")

    def _check_sizes(self) -> None:
        for name in ("seed", "products", "customers", "orders"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise SandboxConfigError(f"{name} must be an integer >= 0; got {value!r}")
        if not isinstance(self.store_views, int) or not 1 <= self.store_views <= MAX_STORE_VIEWS:
            raise SandboxConfigError(
                f"store_views must be between 1 and {MAX_STORE_VIEWS}; got {self.store_views!r}"
            )
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) or self.workers < 1:
            raise SandboxConfigError(f"workers must be an integer >= 1; got {self.workers!r}")

    def _check_credentials(self) -> None:
        if not self.admin_user.strip():
            raise SandboxConfigError("admin_user must not be empty")
        if len(self.admin_password) < 7:  # noqa: PLR2004 - Magento's minimum admin password length
            raise SandboxConfigError("admin_password must be at least 7 characters long")
        if not self.customer_password:
            raise SandboxConfigError("customer_password must not be empty")
        if self.totp_secret is not None:
            try:
                base64.b32decode(self.totp_secret.upper() + "=" * (-len(self.totp_secret) % 8))
            except (binascii.Error, ValueError):
                raise SandboxConfigError("totp_secret must be a base32 string") from None

    @property
    def latency_factor(self) -> float:
        return parse_latency(self.latency)
