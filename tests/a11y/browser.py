"""A tiny W3C WebDriver client for headless Chromium through chromedriver (plain HTTP, no deps).

Used only by the accessibility tests: navigate, run scripts (axe-core), DevTools commands
(viewport, JavaScript off), read the DOM and take screenshots.
"""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from collections.abc import Iterator

# The flags the team agreed on for headless Chromium; nothing may reach the network but loopback.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)
AXE_VERSION = "4.14.1"
# WCAG 2.0, 2.1 and 2.2, levels A and AA, as axe-core tags them.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa")


def axe_script_path() -> Path:
    """Where .ci/run installs the pinned axe-core (MAGENTO_IR_AXE_DIR overrides)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    default = cache / "magento-ir" / f"axe-core-{AXE_VERSION}"
    root = Path(os.environ.get("MAGENTO_IR_AXE_DIR", default))
    return root / "node_modules" / "axe-core" / "axe.min.js"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Browser:
    """One chromedriver process and one headless Chromium session with a fresh profile."""

    def __init__(self, chromium: str, chromedriver: str) -> None:
        port = _free_port()
        self._profile = tempfile.TemporaryDirectory(prefix="magento-ir-chromium-")
        self._driver = subprocess.Popen(  # noqa: S603 - a fixed program found by require_tool
            [chromedriver, f"--port={port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
        self._wait_until_ready()
        options = {
            "binary": chromium,
            "args": [*CHROMIUM_ARGS, f"--user-data-dir={self._profile.name}"],
        }
        capabilities = {"browserName": "chrome", "goog:chromeOptions": options}
        session = self._request("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})
        self._session = f"/session/{session['sessionId']}"

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + 20
        while True:
            try:
                if self._http.get("/status").json()["value"]["ready"]:
                    return
            except (httpx.HTTPError, ValueError, KeyError):
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.05)

    def _request(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        response = self._http.request(method, path, json=payload)
        value = response.json()["value"]
        if response.status_code != 200:
            raise RuntimeError(f"WebDriver {method} {path}: {value}")
        return value

    def get(self, url: str) -> None:
        self._request("POST", f"{self._session}/url", {"url": url})

    def run(self, script: str, *args: Any) -> Any:
        return self._request(
            "POST", f"{self._session}/execute/sync", {"script": script, "args": list(args)}
        )

    def run_async(self, script: str, *args: Any) -> Any:
        return self._request(
            "POST", f"{self._session}/execute/async", {"script": script, "args": list(args)}
        )

    def devtools(self, command: str, **params: Any) -> Any:
        return self._request(
            "POST", f"{self._session}/goog/cdp/execute", {"cmd": command, "params": params}
        )

    @contextmanager
    def viewport(self, width: int, height: int = 640, scale: int = 1) -> Iterator[None]:
        """Emulate WIDTH x HEIGHT CSS px (320 px wide is 400% zoom of 1280) until the block ends."""
        self.devtools(
            "Emulation.setDeviceMetricsOverride",
            width=width, height=height, deviceScaleFactor=scale, mobile=False,
        )  # fmt: skip
        try:
            yield
        finally:
            self.devtools("Emulation.clearDeviceMetricsOverride")

    def page_widths(self) -> tuple[int, int]:
        """The document's scroll width and client width: equal when nothing scrolls sideways."""
        scroll, client = self.run(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        return scroll, client

    def outer_html(self) -> str:
        """The live DOM through DevTools, which works with page JavaScript switched off."""
        root = self.devtools("DOM.getDocument", depth=-1)["root"]
        html: str = self.devtools("DOM.getOuterHTML", nodeId=root["nodeId"])["outerHTML"]
        return html

    def screenshot(self, path: Path) -> None:
        png = self._request("GET", f"{self._session}/screenshot")
        path.write_bytes(base64.b64decode(png))

    def axe_violations(self, axe_source: str) -> list[dict[str, Any]]:
        """axe-core's WCAG 2.x A/AA violations on the current page (id, impact, targets)."""
        self.run(axe_source + "\n;return true;")
        script = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
  .then(result => done(result.violations.map(v => ({
      id: v.id, impact: v.impact, targets: v.nodes.map(n => n.target.join(' '))}))))
  .catch(error => done([{id: 'axe-error', impact: 'critical', targets: [String(error)]}]));
"""
        violations: list[dict[str, Any]] = self.run_async(script, list(WCAG_TAGS))
        return violations

    def close(self) -> None:
        try:
            self._request("DELETE", self._session)
        finally:
            self._http.close()
            self._driver.terminate()
            self._driver.wait(timeout=10)
            self._profile.cleanup()
