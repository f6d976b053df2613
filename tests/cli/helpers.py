"""Shared by the command-line tests."""

from __future__ import annotations


def flat(text: str) -> str:
    """Text of a message typer boxed and wrapped at 80 columns, on one line."""
    return " ".join(text.replace("│", " ").split())
