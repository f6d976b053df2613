"""Where the CLI finds the store and its credentials: flags > environment > profile file.

Kept free of typer and rich so it is plain, typed and testable. Secrets live only in
`StoreSettings` fields that are hidden from its repr; nothing here prints or logs them.
"""

from __future__ import annotations

import stat
import tomllib
from dataclasses import dataclass, field, fields
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING

from magento_ir._core.urls import parse_base_url
from magento_ir._exceptions import ConfigurationError
from magento_ir._secret import HoldsSecret
from magento_ir.auth import AdminCredentials, BearerToken, CustomerCredentials, OAuth1Credentials

if TYPE_CHECKING:
    from collections.abc import Mapping

    from magento_ir.auth import Auth

__all__ = [
    "ENV_PREFIX",
    "ExitCode",
    "StoreSettings",
    "default_profiles_path",
    "load_profile",
    "resolve_settings",
]

ENV_PREFIX = "MAGENTO_IR_"
DEFAULT_PROFILE = "default"
# Permission bits that let anyone but the owner read or change the file (ssh refuses the same).
_SHARED_BITS = stat.S_IRWXG | stat.S_IRWXO


class ExitCode(IntEnum):
    """Process exit codes scripts can rely on (docs/cli.md lists them)."""

    OK = 0
    # Contained, but an action failed for some entity or a verification did not hold.
    CONTAINMENT_FAILED = 1
    # The same code for `evidence verify` / `ship`: the log failed verification.
    VERIFICATION_FAILED = 1
    # `notify contacts check`: an entry is due for review or has no channel.
    CHECK_FAILED = 1
    # Bad flags, a missing or unsafe profile, missing credentials, a bad playbook.
    USAGE = 2
    # The store refused the credentials (Magento answers 401 for authz too).
    AUTHENTICATION = 3
    # No answer, or not Magento's JSON (wrong URL, proxy page, full maintenance).
    UNREACHABLE = 4
    # The action needs the companion module and the store does not have it.
    MODULE_REQUIRED = 5
    # An evidence log or journal no checkpoint of this key covers: not extended, not shown
    # (`magento-ir evidence adopt` accepts it knowingly).
    UNTRUSTED_LOG = 6
    # A bug in magento-ir (an error it did not expect): one line, the traceback with --verbose.
    INTERNAL = 70
    INTERRUPTED = 130


@dataclass(frozen=True, slots=True)
class StoreSettings(HoldsSecret):
    """One store's address and credentials, each optional until resolved; never pickled."""

    base_url: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    totp_secret: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    consumer_key: str | None = None
    consumer_secret: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    access_token_secret: str | None = field(default=None, repr=False)
    # A storefront on another host than the API (CDN, headless front end).
    storefront_url: str | None = None
    # A customer account the responder controls: actions that end sessions or reset passwords
    # prove on it, from the outside, that its earlier token and session stopped working.
    canary_email: str | None = None
    canary_password: str | None = field(default=None, repr=False)
    # An admin the responder controls, not kept by a lockdown: proves admin sessions end.
    canary_admin: str | None = None
    canary_admin_password: str | None = field(default=None, repr=False)

    def over(self, fallback: StoreSettings) -> StoreSettings:
        """These settings, with `fallback`'s values where these have none."""
        merged = {
            item.name: getattr(self, item.name)
            if getattr(self, item.name) is not None
            else getattr(fallback, item.name)
            for item in fields(self)
        }
        return StoreSettings(**merged)

    def require_base_url(self) -> str:
        if not self.base_url:
            raise ConfigurationError(
                "no store given: pass --base-url, set MAGENTO_IR_BASE_URL, or add base_url to "
                "your profile (see docs/cli.md)"
            )
        # Checked here, before any command writes: a malformed URL is a usage error at once.
        parse_base_url(self.base_url)
        return self.base_url

    def canary(self) -> CustomerCredentials | None:
        if not self.canary_email and not self.canary_password:
            return None
        if not (self.canary_email and self.canary_password):
            raise ConfigurationError(
                "the canary customer needs both canary_email and canary_password "
                "(MAGENTO_IR_CANARY_EMAIL, MAGENTO_IR_CANARY_PASSWORD)"
            )
        return CustomerCredentials(self.canary_email, self.canary_password)

    def canary_admin_credentials(self) -> AdminCredentials | None:
        if not self.canary_admin and not self.canary_admin_password:
            return None
        if not (self.canary_admin and self.canary_admin_password):
            raise ConfigurationError(
                "the canary admin needs both canary_admin (its user name) and "
                "canary_admin_password (MAGENTO_IR_CANARY_ADMIN, MAGENTO_IR_CANARY_ADMIN_PASSWORD)"
            )
        return AdminCredentials(self.canary_admin, self.canary_admin_password)

    def auth(self) -> Auth:
        """Credentials from the settings: a token, an integration's OAuth values, or a login."""
        if self.token:
            return BearerToken(self.token)
        oauth = (
            self.consumer_key,
            self.consumer_secret,
            self.access_token,
            self.access_token_secret,
        )
        if any(oauth):
            if not all(oauth):
                raise ConfigurationError(
                    "integration credentials are incomplete: give all four of consumer_key, "
                    "consumer_secret, access_token and access_token_secret (MAGENTO_IR_CONSUMER_KEY"
                    ", ..._CONSUMER_SECRET, ..._ACCESS_TOKEN, ..._ACCESS_TOKEN_SECRET)"
                )
            key, secret, access_token, access_secret = (value or "" for value in oauth)
            return OAuth1Credentials(key, secret, access_token, access_secret)
        if self.username and self.password:
            return AdminCredentials(self.username, self.password, totp_secret=self.totp_secret)
        if self.username or self.password:
            missing = "password" if self.username else "username"
            raise ConfigurationError(
                f"admin login is missing its {missing}: pass --{missing} or set "
                f"MAGENTO_IR_{missing.upper()} (or put it in your profile)"
            )
        raise ConfigurationError(
            "no credentials given: set MAGENTO_IR_TOKEN, or MAGENTO_IR_USERNAME and "
            "MAGENTO_IR_PASSWORD (plus MAGENTO_IR_TOTP_SECRET with 2FA), or the four "
            "MAGENTO_IR_CONSUMER_KEY/... integration values, or use a profile (see docs/cli.md)"
        )


_KEYS = tuple(item.name for item in fields(StoreSettings))


def settings_from_env(environ: Mapping[str, str]) -> StoreSettings:
    """`MAGENTO_IR_BASE_URL`, `MAGENTO_IR_USERNAME`, ... (empty values count as unset)."""
    values = {key: environ.get(ENV_PREFIX + key.upper()) or None for key in _KEYS}
    return StoreSettings(**values)


def default_profiles_path(environ: Mapping[str, str]) -> Path:
    """`$MAGENTO_IR_PROFILES_FILE`, else `$XDG_CONFIG_HOME/magento-ir/profiles.toml`."""
    explicit = environ.get(ENV_PREFIX + "PROFILES_FILE")
    if explicit:
        return Path(explicit).expanduser()
    config_home = environ.get("XDG_CONFIG_HOME") or str(Path("~/.config").expanduser())
    return Path(config_home) / "magento-ir" / "profiles.toml"


def _check_private(path: Path) -> None:
    mode = path.stat().st_mode
    if mode & _SHARED_BITS:
        raise ConfigurationError(
            f"refusing to read profile file {path}: it is readable or writable by others "
            f"(mode {stat.S_IMODE(mode):04o}) and holds credentials. Fix it with: chmod 600 {path}"
        )


def load_profile(path: Path, name: str, *, required: bool) -> StoreSettings:
    """The `[name]` table of a TOML profile file; refused when others may read or write it.

    A missing file or profile is an error only when the user asked for one (`required`).
    """
    if not path.exists():
        if required:
            raise ConfigurationError(f"profile file {path} does not exist (see docs/cli.md)")
        return StoreSettings()
    if path.is_dir():
        raise ConfigurationError(f"profile file {path} is a directory: give the file")
    _check_private(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        # The parser's message quotes no values, only positions.
        raise ConfigurationError(f"profile file {path} is not valid TOML: {error}") from None
    table = document.get(name)
    if table is None:
        if required:
            known = ", ".join(sorted(document)) or "none"
            raise ConfigurationError(f"profile {name!r} is not in {path} (profiles there: {known})")
        return StoreSettings()
    if not isinstance(table, dict):
        raise ConfigurationError(f"profile {name!r} in {path} must be a table: [{name}]")
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise ConfigurationError(
            f"profile {name!r} in {path} has unknown keys {unknown}; known keys: {list(_KEYS)}"
        )
    bad = sorted(key for key, value in table.items() if not isinstance(value, str))
    if bad:
        raise ConfigurationError(f"profile {name!r} in {path}: {bad} must be strings")
    return StoreSettings(**table)


def resolve_settings(
    flags: StoreSettings,
    environ: Mapping[str, str],
    *,
    profile: str | None = None,
    profiles_path: Path | None = None,
) -> StoreSettings:
    """Flags win over environment variables, which win over the profile file."""
    name = profile or environ.get(ENV_PREFIX + "PROFILE")
    path = profiles_path or default_profiles_path(environ)
    # An explicitly named profile or file must exist; the default one is optional.
    required = name is not None or profiles_path is not None
    from_profile = load_profile(path, name or DEFAULT_PROFILE, required=required)
    return flags.over(settings_from_env(environ)).over(from_profile)
