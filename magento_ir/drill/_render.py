"""A report as titled sections of paragraphs, lists, tables, commands and figures, rendered to
Markdown and to one self-contained, accessible HTML page (inline CSS, no script, no external
resource: a figure is embedded as a data URI). Used by the drill report, the exercise's
after-action report and the written procedures (magento_ir.exercise)."""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Block",
    "Code",
    "Command",
    "Document",
    "Figure",
    "Heading",
    "Inline",
    "Items",
    "Section",
    "Strong",
    "Table",
    "Text",
    "render_html",
    "render_markdown",
]


@dataclass(frozen=True, slots=True)
class Code:
    """Inline code: a file name, a step id, a key."""

    text: str


@dataclass(frozen=True, slots=True)
class Strong:
    text: str


Inline = str | Code | Strong


@dataclass(frozen=True, slots=True)
class Text:
    """A paragraph."""

    parts: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Items:
    """A bulleted list, one paragraph per item."""

    items: tuple[tuple[Inline, ...], ...]


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    # Columns (by index) holding numbers: right-aligned.
    numeric: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Command:
    """A shell command to copy as it is."""

    text: str


@dataclass(frozen=True, slots=True)
class Heading:
    """A sub-heading inside a section (h3)."""

    text: str


@dataclass(frozen=True, slots=True)
class Figure:
    """A picture: `png` is embedded in the HTML page, the Markdown links to `file` (a path
    relative to the Markdown file, which its writer puts there); `alt` says what it shows, in
    words, for whoever cannot see it (WCAG 1.1.1)."""

    alt: str
    png: bytes
    file: str
    caption: str = ""
    width: int = 0
    height: int = 0


Block = Text | Items | Table | Command | Heading | Figure


@dataclass(frozen=True, slots=True)
class Section:
    """One titled part of the report.

    `key` names it in drill-report.json (`sections.<key>`, holding `data`, which must be JSON)
    and is the HTML anchor; `blocks` are what the Markdown and HTML reports show.
    """

    key: str
    title: str
    blocks: tuple[Block, ...]
    data: Any = None


# --- Markdown ---------------------------------------------------------------------------------


def _md_inline(parts: tuple[Inline, ...]) -> str:
    out = []
    for part in parts:
        if isinstance(part, Code):
            out.append(f"`{part.text}`")
        elif isinstance(part, Strong):
            out.append(f"**{part.text}**")
        else:
            out.append(part)
    return "".join(out).replace("\n", " ")


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_block(block: Block) -> list[str]:
    if isinstance(block, Text):
        return [_md_inline(block.parts)]
    if isinstance(block, Items):
        return [f"- {_md_inline(item)}" for item in block.items]
    if isinstance(block, Command):
        return ["```", block.text, "```"]
    if isinstance(block, Heading):
        return [f"### {block.text}"]
    if isinstance(block, Figure):
        alt = block.alt.replace("]", ")").replace("[", "(").replace("\n", " ")
        lines = [f"![{alt}]({block.file})"]
        return [*lines, "", block.caption] if block.caption else lines
    columns = range(len(block.headers))
    return [
        "| " + " | ".join(_md_cell(header) for header in block.headers) + " |",
        "|" + "|".join("---:" if index in block.numeric else "---" for index in columns) + "|",
        *("| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in block.rows),
    ]


def render_markdown(title: str, intro: tuple[Block, ...], sections: tuple[Section, ...]) -> str:
    lines = [f"# {title}"]
    for block in intro:
        lines += ["", *_md_block(block)]
    for section in sections:
        lines += ["", f"## {section.title}"]
        for block in section.blocks:
            lines += ["", *_md_block(block)]
    return "\n".join(lines) + "\n"


# --- HTML -------------------------------------------------------------------------------------

# System fonts only; contrast at least 7:1 for text (WCAG AAA for body, AA with room to spare);
# the page reflows at 320 CSS px: wide tables scroll inside their own focusable region.
_CSS = """
:root { color-scheme: light; }
body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1a1a1a; background: #fff; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
p, li { overflow-wrap: anywhere; }
h1 { font-size: 1.6rem; line-height: 1.25; overflow-wrap: anywhere; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #6b6b6b; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: 0.9rem; overflow-wrap: anywhere; word-break: break-all; }
pre { white-space: pre-wrap; background: #f3f3f3; border: 1px solid #6b6b6b; padding: 0.75rem; }
.scroll { overflow-x: auto; margin: 0.5rem 0; }
.scroll:focus { outline: 3px solid #1a4fa0; outline-offset: 2px; }
table { border-collapse: collapse; }
th, td { border: 1px solid #6b6b6b; padding: 0.3rem 0.5rem; text-align: left;
  vertical-align: top; }
th { background: #e8e8e8; }
img { max-width: 100%; height: auto; }
figure { margin: 1rem 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.verdict-passed { color: #0b5a1f; }
.verdict-failed { color: #9b0014; }
"""


def _html_inline(parts: tuple[Inline, ...]) -> str:
    out = []
    for part in parts:
        if isinstance(part, Code):
            out.append(f"<code>{html.escape(part.text)}</code>")
        elif isinstance(part, Strong):
            out.append(f"<strong>{html.escape(part.text)}</strong>")
        else:
            out.append(html.escape(part))
    return "".join(out)


def _html_block(block: Block, label: str) -> str:
    if isinstance(block, Text):
        return f"<p>{_html_inline(block.parts)}</p>"
    if isinstance(block, Items):
        items = "".join(f"<li>{_html_inline(item)}</li>" for item in block.items)
        return f"<ul>{items}</ul>"
    if isinstance(block, Command):
        return f"<pre><code>{html.escape(block.text)}</code></pre>"
    if isinstance(block, Heading):
        return f"<h3>{html.escape(block.text)}</h3>"
    if isinstance(block, Figure):
        size = f' width="{block.width}" height="{block.height}"' if block.width else ""
        data = base64.b64encode(block.png).decode("ascii")
        caption = f"<figcaption>{html.escape(block.caption)}</figcaption>" if block.caption else ""
        return (
            f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(block.alt)}"'
            f"{size}>{caption}</figure>"
        )
    head = "".join(f'<th scope="col">{html.escape(header)}</th>' for header in block.headers)
    rows = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{html.escape(cell)}</td>'
            if index in block.numeric
            else f"<td>{html.escape(cell)}</td>"
            for index, cell in enumerate(row)
        )
        + "</tr>"
        for row in block.rows
    )
    # A keyboard user must reach a region that scrolls (WCAG 2.1.1), and hear what it is.
    return (
        f'<div class="scroll" role="region" tabindex="0" aria-label="{html.escape(label)}">'
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
    )


def render_html(
    title: str,
    intro: tuple[Block, ...],
    sections: tuple[Section, ...],
    *,
    verdict_passed: bool | None = None,
) -> str:
    """The page; `verdict_passed` colours the title (None: a document with no verdict)."""
    if verdict_passed is None:
        body = [f"<h1>{html.escape(title)}</h1>"]
    else:
        verdict = "verdict-passed" if verdict_passed else "verdict-failed"
        body = [f'<h1 class="{verdict}">{html.escape(title)}</h1>']
    body.extend(_html_block(block, title) for block in intro)
    for section in sections:
        anchor = f"section-{html.escape(section.key)}"
        body.append(f'<section aria-labelledby="{anchor}">')
        body.append(f'<h2 id="{anchor}">{html.escape(section.title)}</h2>')
        several = sum(isinstance(block, Table) for block in section.blocks) > 1
        number = 0
        for block in section.blocks:
            number += isinstance(block, Table)
            label = f"{section.title}, table {number}" if several else section.title
            body.append(_html_block(block, label))
        body.append("</section>")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )


@dataclass(frozen=True, slots=True)
class Document:
    """A titled document of sections; Markdown, HTML (and, in magento_ir.exercise, PDF) are
    renderings of it. `verdict_passed` colours the HTML title (None: no verdict)."""

    title: str
    intro: tuple[Block, ...]
    sections: tuple[Section, ...]
    verdict_passed: bool | None = None

    def to_markdown(self) -> str:
        return render_markdown(self.title, self.intro, self.sections)

    def to_html(self) -> str:
        return render_html(
            self.title, self.intro, self.sections, verdict_passed=self.verdict_passed
        )
