"""Where the CLI finds the store and credentials: flags > environment > a private profile file."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from magento_ir import AdminCredentials, BearerToken, ConfigurationError, OAuth1Credentials
from magento_ir.cli._config import (
    StoreSettings,
    default_profiles_path,
    load_profile,
    resolve_settings,
    settings_from_env,
)

if TYPE_CHECKING:
    from pathlib import Path

SECRET = "pr0file-Secret-Value"


def _profile(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "profiles.toml"
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)  # noqa: PTH101 - explicit modes are the point here
    return path


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o620, 0o604, 0o660])
def test_profile_readable_or_writable_by_others_is_refused(tmp_path, mode):
    """A profile file group or others may read or write is refused, naming the chmod fix."""
    path = _profile(
        tmp_path, f'[default]\nbase_url = "https://shop.test"\npassword = "{SECRET}"\n', mode
    )
    with pytest.raises(ConfigurationError) as caught:
        load_profile(path, "default", required=False)
    message = str(caught.value)
    assert f"chmod 600 {path}" in message
    assert f"{mode:04o}" in message
    assert SECRET not in message


def test_private_profile_is_read(tmp_path):
    """A 0600 profile's table becomes the settings."""
    path = _profile(tmp_path, '[shop]\nbase_url = "https://shop.test"\nusername = "ir"\n')
    settings = load_profile(path, "shop", required=True)
    assert settings.base_url == "https://shop.test"
    assert settings.username == "ir"


def test_missing_default_profile_file_is_not_an_error(tmp_path):
    """Without a profiles file and no profile asked for, settings come from elsewhere."""
    assert load_profile(tmp_path / "absent.toml", "default", required=False) == StoreSettings()


def test_named_profile_must_exist(tmp_path):
    """Asking for a profile the file lacks names the profiles it has."""
    path = _profile(tmp_path, '[shop]\nbase_url = "https://shop.test"\n')
    with pytest.raises(ConfigurationError, match=r"profile 'other' is not in .*shop"):
        resolve_settings(StoreSettings(), {}, profile="other", profiles_path=path)


def test_profile_unknown_key_is_refused(tmp_path):
    """A misspelt key in a profile is named along with the known keys."""
    path = _profile(tmp_path, '[default]\nbaseurl = "https://shop.test"\n')
    with pytest.raises(ConfigurationError, match=r"unknown keys \['baseurl'\]"):
        load_profile(path, "default", required=False)


def test_profile_bad_toml_is_reported(tmp_path):
    """A profile that is not TOML is a configuration error naming the file."""
    path = _profile(tmp_path, "[default\n")
    with pytest.raises(ConfigurationError, match="not valid TOML"):
        load_profile(path, "default", required=False)


def test_precedence_flags_over_env_over_profile(tmp_path):
    """Each setting comes from the flag if given, else the environment, else the profile."""
    path = _profile(
        tmp_path,
        '[default]\nbase_url = "https://profile.test"\nusername = "from-profile"\n'
        'password = "profile-pass"\ntotp_secret = "JBSWY3DPEHPK3PXP"\n',
    )
    environ = {
        "MAGENTO_IR_PROFILES_FILE": str(path),
        "MAGENTO_IR_BASE_URL": "https://env.test",
        "MAGENTO_IR_USERNAME": "from-env",
    }
    settings = resolve_settings(StoreSettings(base_url="https://flag.test"), environ)
    assert settings.base_url == "https://flag.test"
    assert settings.username == "from-env"
    assert settings.password == "profile-pass"
    assert settings.totp_secret == "JBSWY3DPEHPK3PXP"


def test_profile_named_by_environment(tmp_path):
    """MAGENTO_IR_PROFILE picks the profile table."""
    path = _profile(tmp_path, '[staging]\nbase_url = "https://staging.test"\n')
    environ = {"MAGENTO_IR_PROFILE": "staging"}
    settings = resolve_settings(StoreSettings(), environ, profiles_path=path)
    assert settings.base_url == "https://staging.test"


def test_empty_environment_values_count_as_unset():
    """MAGENTO_IR_TOKEN= (empty) does not hide a token from elsewhere."""
    assert settings_from_env({"MAGENTO_IR_TOKEN": ""}).token is None


def test_default_profiles_path_follows_xdg(tmp_path):
    """The profiles file lives under XDG_CONFIG_HOME unless MAGENTO_IR_PROFILES_FILE says."""
    assert default_profiles_path({"XDG_CONFIG_HOME": str(tmp_path)}) == (
        tmp_path / "magento-ir" / "profiles.toml"
    )
    assert (
        default_profiles_path({"MAGENTO_IR_PROFILES_FILE": "/x/p.toml"}).as_posix() == "/x/p.toml"
    )


def test_auth_prefers_token_then_integration_then_login():
    """A token wins; then the four OAuth values; then username and password."""
    oauth = {
        "consumer_key": "ck",
        "consumer_secret": "cs",
        "access_token": "at",
        "access_token_secret": "ats",
    }
    assert isinstance(StoreSettings(token="t", username="u", password="p").auth(), BearerToken)
    assert isinstance(StoreSettings(username="u", password="p", **oauth).auth(), OAuth1Credentials)
    login = StoreSettings(username="u", password="p").auth()
    assert isinstance(login, AdminCredentials)
    assert login.username == "u"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (StoreSettings(consumer_key="ck"), "integration credentials are incomplete"),
        (StoreSettings(username="u"), "missing its password"),
        (StoreSettings(password=SECRET), "missing its username"),
        (StoreSettings(), "no credentials given"),
    ],
)
def test_incomplete_credentials_say_what_is_missing(settings, message):
    """Half-given credentials name what is missing and never echo a secret."""
    with pytest.raises(ConfigurationError, match=message) as caught:
        settings.auth()
    assert SECRET not in str(caught.value)


def test_missing_base_url_says_how_to_give_one():
    """No store anywhere names the flag, the variable and the profile key."""
    with pytest.raises(ConfigurationError, match=r"--base-url.*MAGENTO_IR_BASE_URL"):
        StoreSettings().require_base_url()


def test_settings_repr_hides_secrets():
    """Passwords, tokens and OAuth secrets never appear in the settings' repr."""
    settings = StoreSettings(
        base_url="https://shop.test",
        password=SECRET,
        token=SECRET + "t",
        totp_secret=SECRET + "o",
        consumer_secret=SECRET + "c",
        access_token=SECRET + "a",
        access_token_secret=SECRET + "s",
    )
    assert SECRET not in repr(settings)


def test_canary_needs_email_and_password():
    """A canary e-mail without its password (or the reverse) is refused; none is fine."""
    assert StoreSettings().canary() is None
    with pytest.raises(ConfigurationError, match="MAGENTO_IR_CANARY_PASSWORD"):
        StoreSettings(canary_email="c@example.com").canary()
    canary = StoreSettings(canary_email="c@example.com", canary_password=SECRET).canary()
    assert canary is not None
    assert canary.email == "c@example.com"
    assert SECRET not in repr(canary)


def test_canary_admin_needs_name_and_password():
    """A canary admin name without its password is refused, naming both variables."""
    assert StoreSettings().canary_admin_credentials() is None
    with pytest.raises(ConfigurationError, match="MAGENTO_IR_CANARY_ADMIN_PASSWORD"):
        StoreSettings(canary_admin="ir-canary").canary_admin_credentials()
    admin = StoreSettings(canary_admin="ir-canary", canary_admin_password=SECRET)
    credentials = admin.canary_admin_credentials()
    assert credentials is not None
    assert SECRET not in repr(credentials)
