"""The companion module's accessible 503 page, rendered exactly as `MaintenancePage::render` does.

`TEMPLATE` is a byte-for-byte copy of `php-module/view/frontend/templates/maintenance.html` (the
wheel does not ship php-module/): `tests/sandbox/test_storefront.py` fails if the two drift, and
renders the same state with PHP's own `MaintenancePage` to compare the output.
"""

from __future__ import annotations

import math
import re

__all__ = ["DEFAULT_MESSAGE", "TEMPLATE", "fill", "render_maintenance_page"]

DEFAULT_MESSAGE = "We are making some improvements to our store and will be back shortly."
FALLBACK_STORE_NAME = "Our store"
_LOCALE = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]{2,8})*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# htmlspecialchars(ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML5): & first, then the rest.
# The template's help line, and what replaces it when the store has no valid contact address (an
# empty mailto: link has no accessible name); MaintenancePage::HELP_LINE / NO_HELP_LINE in PHP.
HELP_LINE = (
    '<p>Email us at <a href="mailto:{{help_email}}">{{help_email}}</a>'
    " and we will get back to you.</p>"
)
NO_HELP_LINE = "<p>Please come back a little later.</p>"
_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&apos;"))

TEMPLATE = """<!DOCTYPE html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>Temporarily unavailable - {{store_name}}</title>
<style>
html { font-size: 100%; }
body {
  margin: 0;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  font-size: 1.125rem;
  line-height: 1.6;
  color: #1f2328;
  background: #ffffff;
}
header, main, footer { max-width: 40rem; margin: 0 auto; padding: 1rem 1.25rem; }
header { border-bottom: 1px solid #6e7781; }
footer { border-top: 1px solid #6e7781; }
h1 { font-size: 1.75rem; line-height: 1.3; margin: 1rem 0; }
h2 { font-size: 1.25rem; margin: 0.5rem 0; }
p { margin: 0 0 1rem; overflow-wrap: anywhere; }
.message { white-space: pre-line; }
a { color: #0a4b94; text-decoration: underline; }
a:hover { color: #062e5c; }
a:focus-visible { outline: 3px solid #0a4b94; outline-offset: 2px; }
</style>
</head>
<body>
<header>
<p>{{store_name}}</p>
</header>
<main>
<h1>We will be back soon</h1>
<p class="message">{{message}}</p>
<p>Please try again in about {{retry_minutes}} minutes.</p>
</main>
<footer>
<h2>Need help?</h2>
<p>Email us at <a href="mailto:{{help_email}}">{{help_email}}</a> and we will get back to you.</p>
</footer>
</body>
</html>
"""


def escape(value: str) -> str:
    for raw, entity in _ESCAPES:
        value = value.replace(raw, entity)
    return value


def fill(template: str, values: dict[str, str]) -> str:
    """Each `{{name}}` replaced by its HTML-escaped value in one pass (PHP's strtr)."""
    replacements = {"{{" + name + "}}": escape(value) for name, value in values.items()}
    if not replacements:
        return template
    pattern = re.compile(
        "|".join(re.escape(key) for key in sorted(replacements, key=len, reverse=True))
    )
    return pattern.sub(lambda found: replacements[found.group(0)], template)


def _config(value: str | None) -> str | None:
    return value.strip() if value is not None and value.strip() else None


def render_maintenance_page(
    *,
    message: str | None,
    retry_after: int,
    locale: str | None,
    store_name: str | None,
    support_email: str | None = None,
    general_email: str | None = None,
) -> str:
    """The page for a maintenance state and the store's config values (None = not set)."""
    locale = _config(locale) or "en_US"
    language = locale.replace("_", "-") if _LOCALE.match(locale) else "en"
    help_email = ""
    for candidate in (_config(support_email), _config(general_email)):
        if candidate is not None and _EMAIL.match(candidate):
            help_email = candidate
            break
    template = TEMPLATE if help_email else TEMPLATE.replace(HELP_LINE, NO_HELP_LINE)
    return fill(
        template,
        {
            "lang": language,
            "store_name": _config(store_name) or FALLBACK_STORE_NAME,
            "message": message if message is not None else DEFAULT_MESSAGE,
            "retry_minutes": str(max(1, math.ceil(retry_after / 60))),
            "help_email": help_email,
        },
    )
