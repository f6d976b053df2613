"""Nonsense options fail at once with a clear, typed error."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from magento_ir.cli.sandbox import sandbox_app as app
from magento_ir.sandbox import Sandbox, SandboxConfigError
from magento_ir.sandbox.options import parse_latency
from magento_ir.sandbox.server import SandboxServer


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"products": -1}, "products must be an integer >= 0"),
        ({"customers": 1.5}, "customers must be an integer"),
        ({"latency": "fast"}, "latency must be a factor >= 0 or one of"),
        ({"latency": -2}, "latency factor must be a finite number >= 0"),
        ({"workers": 0}, "workers must be an integer >= 1"),
        ({"store_views": 9}, "store_views must be between 1 and 6"),
        ({"admin_password": "short"}, "at least 7 characters"),
        ({"admin_user": " "}, "admin_user must not be empty"),
        ({"totp_secret": "not base32!"}, "totp_secret must be a base32 string"),
    ],
)
def test_bad_options_raise_config_errors(options: dict, fragment: str) -> None:
    """Each nonsense option names itself and the accepted values."""
    with pytest.raises(SandboxConfigError, match=fragment):
        Sandbox(**options)


def test_unknown_option_names_the_known_ones() -> None:
    """A misspelt option is refused with the list of real ones."""
    with pytest.raises(SandboxConfigError, match=r"unknown sandbox option.*prodcts.*products"):
        Sandbox(prodcts=10)


def test_latency_presets_and_factors() -> None:
    """`real` is 1, `0`/`none` turn latency off, numbers are factors."""
    assert (parse_latency("real"), parse_latency("0"), parse_latency("0.5"), parse_latency(2)) == (
        1.0,
        0.0,
        0.5,
        2.0,
    )


@pytest.mark.parametrize("port", [-1, 70000, "8080"])
def test_bad_ports_are_refused(port: object) -> None:
    """A port outside 0..65535 (or not an int) is refused before anything starts."""
    with pytest.raises(SandboxConfigError, match="port must be an integer"):
        SandboxServer(Sandbox(), port=port)  # type: ignore[arg-type]


def test_busy_port_fails_clearly() -> None:
    """Starting on a port that is taken fails with the address in the message."""
    with SandboxServer(Sandbox()) as first:
        second = SandboxServer(Sandbox(), port=first.port)
        with pytest.raises(SandboxConfigError, match="cannot listen on"):
            second.start()


def test_cli_refuses_nonsense_with_exit_code_2() -> None:
    """`magento-ir sandbox serve --latency fast` prints the error and exits 2 without serving."""
    result = CliRunner().invoke(app, ["serve", "--latency", "fast", "--port", "0"])
    assert result.exit_code == 2
    assert "latency must be a factor" in result.output


def test_cli_serve_prints_url_and_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve` starts a server, prints its base URL, the admin credentials and the TOTP secret."""
    served: list[tuple[SandboxServer, int]] = []

    def fake_forever(self: SandboxServer) -> None:
        served.append((self, self.port))  # instead of blocking until Ctrl-C

    monkeypatch.setattr(SandboxServer, "serve_forever", fake_forever)
    result = CliRunner().invoke(
        app,
        [
            "serve",
            "--port",
            "0",
            "--admin-user",
            "boss",
            "--admin-password",
            "Secret123!",
            "--two-factor",
            "--products",
            "10",
        ],
    )
    assert result.exit_code == 0, result.output
    server, port = served[0]
    assert f"http://127.0.0.1:{port}" in result.output
    assert "boss" in result.output
    assert "Secret123!" in result.output
    assert server.sandbox.inspect.admin_totp_secret("boss") in result.output
    assert len(server.sandbox.state.products) == 43
