"""Connection failures no retry can fix are recognised from the OS error under httpx's."""

from __future__ import annotations

import socket
import ssl

import httpx
import pytest

from magento_ir._exceptions import APIConnectionError, RequestInfo
from magento_ir._http import map_transport_errors, unreachable_reason

HOST = "https://shop.example.com"


def _raised_from(cause: BaseException) -> httpx.ConnectError:
    """An httpx.ConnectError chained to `cause` as httpx and httpcore chain them."""
    error = httpx.ConnectError(str(cause))
    error.__cause__ = cause
    return error


def _cert_error() -> ssl.SSLCertVerificationError:
    error = ssl.SSLCertVerificationError(1, "certificate verify failed")
    error.verify_message = "self-signed certificate"
    return error


def _ssl_error(reason: str) -> ssl.SSLError:
    error = ssl.SSLError(1, f"[SSL: {reason}]")
    error.reason = reason
    return error


@pytest.mark.parametrize(
    ("cause", "fragment"),
    [
        (_cert_error(), "self-signed certificate"),
        (_ssl_error("WRONG_VERSION_NUMBER"), "use http://shop.example.com"),
        (_ssl_error("TLSV1_ALERT_PROTOCOL_VERSION"), "share no TLS version"),
        (socket.gaierror(-2, "Name or service not known"), "could not be resolved"),
        (ConnectionRefusedError(111, "Connection refused"), "refused the connection"),
        (
            ExceptionGroup("all attempts", [ConnectionRefusedError(111, "refused")]),
            "refused the connection",
        ),
    ],
)
def test_unreachable_causes_are_named_and_not_retryable(
    cause: BaseException, fragment: str
) -> None:
    """DNS, refused, TLS and certificate failures: one error naming the fix, retryable=False."""
    assert fragment in (unreachable_reason(_raised_from(cause), HOST) or "")
    with (
        pytest.raises(APIConnectionError, match=fragment) as caught,
        map_transport_errors(RequestInfo("GET", "/V1/x"), HOST),
    ):
        raise _raised_from(cause)
    assert not caught.value.retryable
    assert not caught.value.request_sent


def test_a_bare_connect_error_stays_retryable() -> None:
    """Without an OS cause (e.g. a test double's ConnectError) the failure may be transient."""
    assert unreachable_reason(httpx.ConnectError("Connection refused"), HOST) is None
    with (
        pytest.raises(APIConnectionError) as caught,
        map_transport_errors(RequestInfo("GET", "/V1/x"), HOST),
    ):
        raise httpx.ConnectError("Connection refused")
    assert caught.value.retryable
