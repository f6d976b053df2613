"""Fault injection by rate and by schedule ("the next 3 requests to /V1/orders").

```python
sandbox.faults.schedule("503", path="/V1/orders", times=3)      # next 3 matching requests
sandbox.faults.at_rate("connection_reset", 0.05)                 # 5% of all requests
sandbox.faults.schedule("slow", seconds=2.5)                     # answer, but late
sandbox.faults.clear()
```

Kinds: `429` (with Retry-After), `502`, `503`, `504` (proxy pages), `maintenance` (Magento's 503
page), `connection_reset`, `timeout` (no answer until the client gives up), `truncated_body`,
`slow`.
`path` matches the request path with or without `/rest[/<store>]`, segment-wise as a prefix.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from magento_ir.sandbox.errors import SandboxConfigError
from magento_ir.sandbox.messages import SandboxResponse, SocketFault, json_response

__all__ = ["FAULT_KINDS", "Fault", "FaultInjector", "maintenance_response"]

FAULT_KINDS = frozenset(
    {
        "429",
        "502",
        "503",
        "504",
        "maintenance",
        "connection_reset",
        "timeout",
        "truncated_body",
        "slow",
    }
)

# pub/errors/default/page.phtml around 503.phtml, as Magento's maintenance mode serves it.
MAINTENANCE_PAGE = """<!doctype html>
<html xmlns="http://www.w3.org/1999/xhtml" >
<head>
    <title>Error 503: Service Unavailable</title>
    <base href="/errors/default/" />
    <meta http-equiv="Content-Type" content="text/html; charset=utf-8"/>
    <meta name="robots" content="*"/>
    <link rel="stylesheet" href="css/styles.css" type="text/css" />
    <link rel="icon" href="images/favicon.ico" type="image/x-icon" />
    <link rel="shortcut icon" href="images/favicon.ico" type="image/x-icon" />
</head>
<body>
    <main class="page-main">
        <h1>Service Temporarily Unavailable</h1>
<p>The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later.</p>
    </main>
</body>
</html>
"""  # noqa: E501

_PROXY_PAGES = {
    502: "502 Bad Gateway",
    503: "503 Service Temporarily Unavailable",
    504: "504 Gateway Time-out",
}


# Bootstrap::assertMaintenance's exception as developer mode prints it instead of the 503 page
# (ExceptionHandler::handleDeveloperMode runs first), trace cut to its Magento frame.
_MAINTENANCE_EXCEPTION = (
    "Exception #0 (Exception): Unable to proceed: the maintenance mode is enabled. \n"
)
MAINTENANCE_DEVELOPER_BODY = (
    f"1 exception(s):\n{_MAINTENANCE_EXCEPTION}\n{_MAINTENANCE_EXCEPTION}"
    "<pre>#1 Magento\\Framework\\App\\Bootstrap->run() called at [pub/index.php:30]\n</pre>\n"
)


def maintenance_response(*, developer_mode: bool = False) -> SandboxResponse:
    """What Magento's own maintenance flag answers an address outside its allow list."""
    if developer_mode:
        return SandboxResponse(
            500,
            [("Content-Type", "text/plain;charset=UTF-8")],
            MAINTENANCE_DEVELOPER_BODY.encode(),
        )
    return SandboxResponse(
        503, [("Content-Type", "text/html; charset=UTF-8")], MAINTENANCE_PAGE.encode()
    )


def _proxy_page(status: int) -> SandboxResponse:
    title = _PROXY_PAGES[status]
    page = f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"  # noqa: E501
    return SandboxResponse(status, [("Content-Type", "text/html")], page.encode())


@dataclass(slots=True)
class Fault:
    kind: str
    retry_after: int = 30
    seconds: float = 0.0

    @property
    def replaces_response(self) -> bool:
        """Whether the store never gets the request (a proxy or the network answers instead)."""
        return self.kind not in ("slow", "truncated_body")

    def response(self) -> SandboxResponse:
        if self.kind == "429":
            response = json_response(429, {"message": "Too Many Requests"}, success=False)
            response.headers.append(("Retry-After", str(self.retry_after)))
            return response
        if self.kind == "maintenance":
            return maintenance_response()
        if self.kind in ("connection_reset", "timeout"):
            fault = SocketFault(self.kind)
            return SandboxResponse(0, [], b"", fault=fault, delay=self.seconds)
        return _proxy_page(int(self.kind))

    def apply(self, response: SandboxResponse) -> None:
        """Alter a real answer (slow or cut short)."""
        if self.kind == "slow":
            response.delay += self.seconds
        else:
            response.fault = SocketFault.TRUNCATED_BODY


@dataclass(slots=True)
class _Rule:
    fault: Fault
    path: str | None
    method: str | None
    remaining: int | None  # schedule: how many more; None for a rate rule
    rate: float = 1.0

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        return self.path is None or _path_matches(self.path, path)


def _strip_rest(path: str) -> str:
    if not path.startswith("/rest/"):
        return path
    rest = path[len("/rest") :]
    marker = rest.find("/V1/")
    return rest[marker:] if marker >= 0 else rest


def _path_matches(prefix: str, path: str) -> bool:
    prefix = prefix.rstrip("/")
    for candidate in (path, _strip_rest(path)):
        if candidate == prefix or candidate.startswith(prefix + "/"):
            return True
    return False


class FaultInjector:
    """Rules checked in order before each request; the first that fires wins."""

    def __init__(self, seed: int = 0) -> None:
        self._rules: list[_Rule] = []
        self._random = random.Random(seed)  # noqa: S311 - reproducible fault rates, not security
        self._lock = threading.Lock()

    @staticmethod
    def _fault(kind: str, retry_after: int, seconds: float) -> Fault:
        if kind not in FAULT_KINDS:
            raise SandboxConfigError(
                f"unknown fault kind {kind!r}; use one of {', '.join(sorted(FAULT_KINDS))}"
            )
        if retry_after < 0 or seconds < 0:
            raise SandboxConfigError("retry_after and seconds must be >= 0")
        if kind == "slow" and seconds == 0:
            raise SandboxConfigError("a slow fault needs seconds > 0")
        if kind == "timeout" and seconds == 0:
            seconds = 3600.0  # longer than any client timeout
        return Fault(kind, retry_after, seconds)

    def schedule(
        self,
        kind: str,
        *,
        path: str | None = None,
        method: str | None = None,
        times: int = 1,
        retry_after: int = 30,
        seconds: float = 0.0,
    ) -> None:
        """Make the next `times` matching requests fail with `kind`."""
        if times < 1:
            raise SandboxConfigError(f"times must be >= 1; got {times}")
        fault = self._fault(kind, retry_after, seconds)
        with self._lock:
            self._rules.append(_Rule(fault, path, method and method.upper(), times))

    def at_rate(
        self,
        kind: str,
        rate: float,
        *,
        path: str | None = None,
        method: str | None = None,
        retry_after: int = 30,
        seconds: float = 0.0,
    ) -> None:
        """Make a fraction `rate` (0..1) of matching requests fail with `kind`."""
        if not 0 <= rate <= 1:
            raise SandboxConfigError(f"rate must be between 0 and 1; got {rate}")
        fault = self._fault(kind, retry_after, seconds)
        with self._lock:
            self._rules.append(_Rule(fault, path, method and method.upper(), None, rate))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    @property
    def pending(self) -> int:
        """How many scheduled faults have not fired yet (rate rules not counted)."""
        with self._lock:
            return sum(rule.remaining or 0 for rule in self._rules)

    def take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path):
                    continue
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        self._rules.remove(rule)
                    return rule.fault
                if self._random.random() < rule.rate:
                    return rule.fault
        return None
