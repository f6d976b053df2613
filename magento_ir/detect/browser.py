"""Headless Chromium through chromedriver (W3C WebDriver over loopback HTTP, stdlib only).

What the payment-page check drives (`page_integrity.PageDriver`): navigate, run a script, run an
asynchronous script. Chromium runs with a fresh profile, and every host name but 127.0.0.1 fails
to resolve unless `resolve_hosts` is False: checking a remote store needs the network, checking a
store on loopback must not reach anything else.

    with Chromium.start() as browser:
        open_checkout(browser, base_url, "blue-widget.html")
        inventory = take_inventory(browser)
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any, Self

from magento_ir._exceptions import ConfigurationError, MagentoIRError

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["CHROMIUM_ARGS", "BrowserError", "Chromium"]

# Headless, no background traffic of Chromium's own (updates, sync, QUIC probes).
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
LOOPBACK_ONLY = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"


class BrowserError(MagentoIRError):
    """Chromium or chromedriver failed (not started, crashed, or a command was refused)."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _find(name: str, given: str | None) -> str:
    path = given or shutil.which(name)
    if path is None:
        raise ConfigurationError(
            f"{name} is not installed: the payment-page check drives headless Chromium "
            "(Debian: apt-get install chromium chromium-driver), or pass its path"
        )
    return path


class Chromium:
    """One chromedriver process and one headless Chromium session (a fresh profile)."""

    def __init__(self, chromedriver: str, chromium: str, *, loopback_only: bool = True) -> None:
        self._port = _free_port()
        self._profile = tempfile.TemporaryDirectory(prefix="magento-ir-chromium-")
        self._driver = subprocess.Popen(  # noqa: S603 - a fixed program, found or given
            [chromedriver, f"--port={self._port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._session = ""
        try:
            self._wait_until_ready()
            args = [*CHROMIUM_ARGS, f"--user-data-dir={self._profile.name}"]
            if loopback_only:
                args.append(LOOPBACK_ONLY)
            capabilities = {
                "browserName": "chrome",
                "goog:chromeOptions": {"binary": chromium, "args": args},
                # A store in developer mode builds its static files on the first visit: slow.
                "timeouts": {"script": 120_000, "pageLoad": 300_000},
            }
            session = self.request(
                "POST", "/session", {"capabilities": {"alwaysMatch": capabilities}}
            )
            self._session = f"/session/{session['sessionId']}"
        except BaseException:
            self.close()
            raise

    @classmethod
    def start(
        cls,
        *,
        chromium: str | None = None,
        chromedriver: str | None = None,
        loopback_only: bool = True,
    ) -> Chromium:
        """Chromium and chromedriver from PATH unless given."""
        return cls(
            _find("chromedriver", chromedriver),
            _find("chromium", chromium),
            loopback_only=loopback_only,
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + 20
        while True:
            try:
                if self.request("GET", "/status")["ready"]:
                    return
            except (BrowserError, OSError):
                if time.monotonic() > deadline or self._driver.poll() is not None:
                    raise BrowserError("chromedriver did not start within 20 s") from None
            time.sleep(0.05)

    def request(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:  # noqa: ANN401 - WebDriver's JSON
        """One WebDriver command; its `value`, or BrowserError."""
        body = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self._port}{path}", data=body, method=method
        )
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=330) as answer:  # noqa: S310
                return json.loads(answer.read())["value"]
        except urllib.error.HTTPError as error:
            detail = json.loads(error.read() or b"{}").get("value", {})
            message = detail.get("message", str(error)) if isinstance(detail, dict) else detail
            raise BrowserError(f"WebDriver {method} {path}: {str(message)[:300]}") from None
        except urllib.error.URLError as error:
            raise BrowserError(f"chromedriver not answering: {error.reason}") from None

    def get(self, url: str) -> None:
        self.request("POST", f"{self._session}/url", {"url": url})

    def run(self, script: str, *args: Any) -> Any:  # noqa: ANN401 - the page's JSON
        return self.request(
            "POST", f"{self._session}/execute/sync", {"script": script, "args": list(args)}
        )

    def run_async(self, script: str, *args: Any) -> Any:  # noqa: ANN401 - the page's JSON
        return self.request(
            "POST", f"{self._session}/execute/async", {"script": script, "args": list(args)}
        )

    def close(self) -> None:
        """End the session, stop chromedriver (which ends Chromium) and remove the profile."""
        try:
            if self._session:
                self.request("DELETE", self._session)
        except BrowserError:
            pass
        finally:
            self._session = ""
            if self._driver.poll() is None:
                self._driver.terminate()
                try:
                    self._driver.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._driver.kill()
                    self._driver.wait()
            self._profile.cleanup()
