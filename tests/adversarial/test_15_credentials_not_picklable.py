"""Issue 9 item 15: objects holding a secret cannot be pickled with it; copies are sensible."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest

from magento_ir import (
    AdminCredentials,
    AsyncMagentoClient,
    BearerToken,
    CustomerCredentials,
    MagentoClient,
    OAuth1Credentials,
)
from magento_ir.cli._config import StoreSettings
from magento_ir.containment import StoreConnection

SECRET = "S3cret-Value-42"
TOTP = "JBSWY3DPEHPK3PXP"


def _holders() -> list[Any]:
    return [
        AdminCredentials("admin", SECRET),
        AdminCredentials("admin", SECRET, totp_secret=TOTP),
        CustomerCredentials("someone@example.com", SECRET),
        BearerToken(SECRET),
        OAuth1Credentials("consumer", SECRET, SECRET, SECRET),
        StoreSettings(base_url="https://shop.example.com", username="admin", password=SECRET),
        StoreConnection("https://shop.example.com", auth=BearerToken(SECRET)),
    ]


@pytest.mark.parametrize("holder", _holders(), ids=lambda holder: type(holder).__name__)
@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_secret_holders_refuse_pickle(holder: Any, protocol: int) -> None:
    """Pickling raises TypeError naming the class (at every protocol), never the secret."""
    with pytest.raises(TypeError, match="holds a secret and cannot be pickled") as caught:
        pickle.dumps(holder, protocol=protocol)
    assert SECRET not in str(caught.value)


@pytest.mark.anyio
async def test_clients_refuse_pickle() -> None:
    """A client holds its credentials and its session token: pickling it refuses too."""
    sync_client = MagentoClient("https://shop.example.com", auth=BearerToken(SECRET))
    async_client = AsyncMagentoClient("https://shop.example.com", auth=BearerToken(SECRET))
    for client in (sync_client, async_client):
        with pytest.raises(TypeError, match="holds a secret and cannot be pickled"):
            pickle.dumps(client)
    sync_client.close()
    await async_client.close()


@pytest.mark.parametrize("holder", _holders()[:-1], ids=lambda holder: type(holder).__name__)
def test_copies_of_credentials_are_the_same_object(holder: Any) -> None:
    """Credentials never change after construction: copy and deepcopy give the object itself."""
    assert copy.copy(holder) is holder
    assert copy.deepcopy(holder) is holder


def test_containers_of_credentials_deepcopy_and_keep_working() -> None:
    """A structure holding credentials deep-copies (sharing them); the copy still logs in."""
    credentials = AdminCredentials("admin", SECRET, totp_secret=TOTP)
    connection = StoreConnection("https://shop.example.com", auth=credentials)
    cloned = copy.deepcopy(connection)
    assert cloned == connection
    assert cloned is not connection
    assert cloned.auth is credentials
    path, body = cloned.auth.login_request(0.0)
    assert path.endswith("/authenticate")
    assert body["password"] == SECRET
