"""Every error magento_ir raises.

```
MagentoIRError
├── ConfigurationError            bad base URL, missing credentials, unsafe profile file
├── InvalidArgumentError          a bad argument to an SDK call (also a ValueError)
├── ModuleRequiredError           the action needs the companion module; says how to install it
└── APIError                      .request .message
    ├── APIConnectionError        no response (APITimeoutError beneath)
    │   └── APITimeoutError
    ├── UnexpectedResponseError   HTML or non-JSON where JSON was due (maintenance, proxy, bad URL)
    ├── GraphQLError              GraphQL answered with errors[] (.errors .data .status_code)
    └── APIStatusError            .status_code .raw_message .parameters .errors .report_id
        ├── BadRequestError 400
        ├── AuthenticationError 401 (Magento uses 401 for authorisation failures too)
        ├── NotFoundError 404
        ├── RateLimitError 429 (.retry_after)
        └── ServerError 5xx
```

Other statuses (405, 409, ...) raise a plain `APIStatusError`. Nothing secret ever reaches `str()`
or `repr()`: the shell redacts the URL in `RequestInfo`, and request bodies are never included.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

# Decoded JSON as Magento sends it; callers narrow it (or validate it into a model).
JSONValue: TypeAlias = Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "GraphQLError",
    "InvalidArgumentError",
    "MagentoIRError",
    "ModuleRequiredError",
    "NotFoundError",
    "RateLimitError",
    "RequestInfo",
    "ServerError",
    "UnexpectedResponseError",
]


@dataclass(frozen=True, slots=True)
class RequestInfo:
    """What was asked: method and the redacted path + query (never a token or password)."""

    method: str
    path: str

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


class MagentoIRError(Exception):
    """Base class of every error raised by magento_ir."""


class ConfigurationError(MagentoIRError):
    """The client is set up wrongly (base URL, credentials); the message says how to fix it."""


class InvalidArgumentError(MagentoIRError, ValueError):
    """An SDK call got an argument Magento would mis-handle or refuse; the message names the fix."""


class ModuleRequiredError(MagentoIRError):
    """The action needs the companion Magento module, which the store does not have."""


class APIError(MagentoIRError):
    """A request to Magento failed."""

    def __init__(self, message: str, *, request: RequestInfo) -> None:
        super().__init__(message)
        self.message = message
        self.request = request

    def __str__(self) -> str:
        return f"{self.message} ({self.request})"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, request={self.request})"


class APIConnectionError(APIError):
    """No HTTP response: DNS failure, refused connection, TLS error, dropped connection.

    `request_sent` is False when no connection was made, so Magento cannot have acted on it.
    `retryable` is False when no retry can fix it (the host name does not resolve, nothing
    listens on the port, TLS cannot be agreed, plain HTTP on a TLS port): the message says
    what to change.
    """

    def __init__(
        self,
        message: str,
        *,
        request: RequestInfo,
        request_sent: bool = True,
        retryable: bool = True,
    ) -> None:
        super().__init__(message, request=request)
        self.request_sent = request_sent
        self.retryable = retryable


class APITimeoutError(APIConnectionError):
    """The request timed out before a response arrived."""


class UnexpectedResponseError(APIError):
    """Magento (or something in front of it) answered with something other than JSON."""

    def __init__(
        self,
        message: str,
        *,
        request: RequestInfo,
        status_code: int,
        content_type: str | None,
    ) -> None:
        super().__init__(message, request=request)
        self.status_code = status_code
        self.content_type = content_type


class GraphQLError(APIError):
    """A GraphQL response carried `errors[]`; `.errors` holds them as Magento sent them."""

    def __init__(
        self,
        message: str,
        *,
        request: RequestInfo,
        status_code: int,
        errors: list[dict[str, Any]],
        data: JSONValue = None,
    ) -> None:
        super().__init__(message, request=request)
        self.status_code = status_code
        self.errors = errors
        self.data = data


class APIStatusError(APIError):
    """Magento answered with an error status and a JSON error body."""

    def __init__(
        self,
        message: str,
        *,
        request: RequestInfo,
        status_code: int,
        raw_message: str,
        parameters: dict[str, Any] | list[Any] | None = None,
        errors: list[dict[str, Any]] | None = None,
        report_id: str | None = None,
    ) -> None:
        super().__init__(message, request=request)
        self.status_code = status_code
        self.raw_message = raw_message
        self.parameters = parameters
        self.errors = errors or []
        self.report_id = report_id

    def __str__(self) -> str:
        text = f"HTTP {self.status_code} from {self.request}: {self.message}"
        if self.errors:
            details = "; ".join(str(error.get("message", "")) for error in self.errors)
            text += f" [{details}]"
        if self.report_id is not None:
            text += f" (report id {self.report_id})"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code}, message={self.message!r}, "
            f"request={self.request}, report_id={self.report_id!r})"
        )


class BadRequestError(APIStatusError):
    """HTTP 400: Magento refused the input (missing field, invalid value, 2FA required, ...)."""


class AuthenticationError(APIStatusError):
    """HTTP 401: bad credentials, or a token that is missing, expired, revoked or lacks the ACL."""


class NotFoundError(APIStatusError):
    """HTTP 404: no such entity, or no such route (also a known URL called with the wrong verb)."""


class RateLimitError(APIStatusError):
    """HTTP 429: Magento's backpressure limit; `.retry_after` is the advised wait in seconds."""

    def __init__(
        self,
        message: str,
        *,
        request: RequestInfo,
        status_code: int,
        raw_message: str,
        parameters: dict[str, Any] | list[Any] | None = None,
        errors: list[dict[str, Any]] | None = None,
        report_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(
            message,
            request=request,
            status_code=status_code,
            raw_message=raw_message,
            parameters=parameters,
            errors=errors,
            report_id=report_id,
        )
        self.retry_after = retry_after


class ServerError(APIStatusError):
    """HTTP 5xx with a JSON body: an unexpected error inside Magento (see its report id)."""
