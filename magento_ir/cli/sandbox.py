"""`magento-ir sandbox serve`: the embedded sandbox store over HTTP (needs the `sandbox` extra:
without it, importing this module fails and there is no `sandbox` command)."""

from __future__ import annotations

from typing import Annotated

import typer

from magento_ir.cli._config import ExitCode
from magento_ir.cli._errors import fail
from magento_ir.cli._output import console
from magento_ir.sandbox.app import Sandbox
from magento_ir.sandbox.errors import SandboxConfigError
from magento_ir.sandbox.options import SandboxOptions
from magento_ir.sandbox.server import SandboxServer

__all__ = ["register", "sandbox_app"]

sandbox_app = typer.Typer(
    name="sandbox", help="The embedded Magento 2.4.7 sandbox store.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(sandbox_app, name="sandbox")


@sandbox_app.callback()
def sandbox_commands() -> None:
    """The embedded Magento 2.4.7 sandbox store."""


@sandbox_app.command()
def serve(  # noqa: PLR0917 - one parameter per command-line option
    port: Annotated[int, typer.Option(help="TCP port (0 picks a free one).")] = 8080,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    products: Annotated[int, typer.Option(help="Generated products on top of the fixtures.")] = 0,
    customers: Annotated[int, typer.Option(help="Generated customers (all @example.com).")] = 0,
    orders: Annotated[int, typer.Option(help="Generated orders incl. a card-testing burst.")] = 0,
    store_views: Annotated[int, typer.Option(help="Store views (1-6).")] = 1,
    with_module: Annotated[
        bool, typer.Option("--with-module", help="Install the companion module's endpoints.")
    ] = False,
    latency: Annotated[str, typer.Option(help="real, 0, or a factor (1 = real).")] = "0",
    seed: Annotated[int, typer.Option(help="Seed of the generated data.")] = 0,
    workers: Annotated[int, typer.Option(help="PHP-FPM-like worker pool size.")] = 4,
    admin_user: Annotated[str, typer.Option(help="Admin username.")] = "admin",
    admin_password: Annotated[str, typer.Option(help="Admin password.")] = "Sandbox123!",  # noqa: S107
    two_factor: Annotated[
        bool, typer.Option("--two-factor", help="Enable Google Authenticator 2FA for admins.")
    ] = False,
    developer_mode: Annotated[
        bool, typer.Option("--developer-mode", help="Add `trace` to error bodies.")
    ] = False,
) -> None:
    """Serve a sandbox store over HTTP until interrupted, printing its URL and credentials."""
    try:
        options = SandboxOptions(
            seed=seed,
            products=products,
            customers=customers,
            orders=orders,
            store_views=store_views,
            with_module=with_module,
            latency=latency,
            workers=workers,
            admin_user=admin_user,
            admin_password=admin_password,
            two_factor=two_factor,
            developer_mode=developer_mode,
        )
        server = SandboxServer(Sandbox(options), host=host, port=port)
        server.start()
    except SandboxConfigError as error:
        fail(ExitCode.USAGE, str(error))
    console.print(f"Magento sandbox listening on [bold]{server.base_url}[/bold]")
    console.print(f"REST base URL: {server.base_url}/rest/V1/")
    console.print(f"Admin user: {admin_user}   password: {admin_password}")
    if two_factor:
        secret = server.sandbox.inspect.admin_totp_secret()
        console.print(f"2FA (Google Authenticator) secret: {secret}")
    console.print("Press Ctrl-C to stop.")
    try:
        server.serve_forever()
    finally:
        server.stop()
