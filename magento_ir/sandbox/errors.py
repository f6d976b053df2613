"""Errors inside the sandbox.

```
Exception
├── WebapiError           raised by a route handler; rendered as Magento's REST error body
└── SandboxConfigError    nonsense options given to Sandbox/SandboxServer (also a ValueError)
```

A handler never builds an error response itself: it raises `WebapiError` with Magento's phrase
(placeholders unsubstituted) and its parameters, and the dispatcher renders the body.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ROUTE_NOT_FOUND",
    "SandboxConfigError",
    "WebapiError",
    "integer_param",
    "invalid_value",
    "no_such_entity",
    "not_authorized",
    "required_field",
    "route_not_found",
]

ROUTE_NOT_FOUND = "Request does not match any route."
SIGN_IN_INCORRECT = (
    "The account sign-in was incorrect or your account is disabled temporarily. "
    "Please wait and try again later."
)


class SandboxConfigError(ValueError):
    """The sandbox was started with a nonsense option; the message says how to fix it."""


class WebapiError(Exception):
    """A Magento web API error: HTTP status, phrase with `%name`/`%1` placeholders, parameters."""

    def __init__(
        self,
        status: int,
        message: str,
        parameters: dict[str, Any] | list[Any] | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameters = parameters
        self.errors = errors
        self.headers = headers

    def body(self, *, trace: str | None) -> dict[str, Any]:
        """The JSON body Magento sends: message, then parameters/errors when present, then trace."""
        body: dict[str, Any] = {"message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        if self.parameters is not None:
            body["parameters"] = self.parameters
        if trace is not None:
            body["trace"] = trace
        return body


def route_not_found() -> WebapiError:
    return WebapiError(404, ROUTE_NOT_FOUND)


def required_field(field_name: str) -> WebapiError:
    return WebapiError(
        400, '"%fieldName" is required. Enter and try again.', {"fieldName": field_name}
    )


def invalid_value(field_name: str, value: object) -> WebapiError:
    return WebapiError(
        400,
        'Invalid value of "%value" provided for the %fieldName field.',
        {"fieldName": field_name, "value": value},
    )


def no_such_entity(field_name: str, field_value: object) -> WebapiError:
    return WebapiError(
        404,
        "No such entity with %fieldName = %fieldValue",
        {"fieldName": field_name, "fieldValue": field_value},
    )


def not_authorized(resource: str) -> WebapiError:
    return WebapiError(
        401, "The consumer isn't authorized to access %resources.", {"resources": resource}
    )


def sign_in_incorrect() -> WebapiError:
    return WebapiError(401, SIGN_IN_INCORRECT)


def integer_param(raw: str) -> int:
    """A URL placeholder typed `int` in the service contract, converted as Magento does."""
    text = raw.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    raise WebapiError(
        400,
        'The "%value" value\'s type is invalid. The "%type" type was expected. '
        "Verify and try again.",
        {"value": raw, "type": "int"},
    )
