"""Errors inside the sandbox.

```
Exception
├── WebapiError           raised by a route handler; rendered as Magento's REST error body
├── DatabaseError         what MySQL would refuse (an unknown column): a 500, its text shown only
│                         in developer mode
└── SandboxConfigError    nonsense options given to Sandbox/SandboxServer (also a ValueError)
```

A handler never builds an error response itself: it raises `WebapiError` with Magento's phrase
(placeholders unsubstituted) and its parameters, and the dispatcher renders the body.
"""

from __future__ import annotations

import uuid
from typing import Any

__all__ = [
    "REQUIRED_FIELD",
    "ROUTE_NOT_FOUND",
    "DatabaseError",
    "SandboxConfigError",
    "WebapiError",
    "integer_param",
    "internal_error",
    "invalid_value",
    "no_such_entity",
    "not_authorized",
    "required_field",
    "route_not_found",
]

ROUTE_NOT_FOUND = "Request does not match any route."
REQUIRED_FIELD = '"%fieldName" is required. Enter and try again.'
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
        code: int | None = None,
        traced: bool = True,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameters = parameters
        self.errors = errors
        self.headers = headers
        self.code = code
        # Errors Magento raises as a bare Webapi\Exception carry no stack: developer mode
        # then shows `"trace": null`.
        self.traced = traced

    def body(self, *, trace: str | None) -> dict[str, Any]:
        """The JSON body Magento sends: message, then parameters/errors, code, then the trace.

        `trace` is given in developer mode only (the key is absent otherwise).
        """
        body: dict[str, Any] = {"message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        if self.parameters is not None:
            body["parameters"] = self.parameters
        if self.code is not None:
            body["code"] = self.code
        if trace is not None:
            body["trace"] = trace if self.traced else None
        return body


class DatabaseError(Exception):
    """A query MySQL refuses (`SQLSTATE[42S22]` unknown column and the like).

    Magento shows the text with `code` 42 in developer mode and masks it as an internal error with
    a report id otherwise.
    """

    def __init__(self, message: str, *, code: int | None = 42) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def internal_error() -> WebapiError:
    """What Magento shows outside developer mode for an error it does not expose."""
    report_id = f"webapi-{uuid.uuid4().hex[:13]}"
    return WebapiError(
        500,
        f"Internal Error. Details are available in Magento log file. Report ID: {report_id}",
    )


def route_not_found() -> WebapiError:
    return WebapiError(404, ROUTE_NOT_FOUND)


def required_field(field_name: str) -> WebapiError:
    return WebapiError(400, REQUIRED_FIELD, {"fieldName": field_name})


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


def integer_param(raw: str, *, field: str | None = None) -> int:
    """A value typed `int` in the service contract, converted as Magento does.

    Magento renders this message itself (no `parameters`); a searchCriteria field names itself.
    """
    text = raw.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    message = (
        f'The "{raw}" value\'s type is invalid. The "int" type was expected. Verify and try again.'
    )
    if field is not None:
        message = f'Error occurred during "{field}" processing. {message}'
    raise WebapiError(400, message, traced=False)
