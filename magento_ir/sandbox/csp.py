"""Magento_Csp's storefront headers, as a real 2.4.7-p3 sends them with no CSP configured.

Every storefront page carries `Content-Security-Policy-Report-Only` (`csp/mode/storefront/
report_only` is 1 in Magento_Csp's config.xml); the checkout (`checkout_index_index`) an enforced
`Content-Security-Policy` (Magento_Checkout sets `csp/mode/storefront_checkout_index_index/
report_only` to 0 and `.../policies/storefront_checkout_index_index/scripts/inline` to 0: no
'unsafe-inline' for scripts, 'unsafe-hashes' for Magento's own event handlers). The hosts are the
merged csp_whitelist.xml of the stock modules, verbatim (tests/data/real-magento-2.4.7-storefront/
security_headers.json); the `self`, `inline` and `eval` flags are read from the configuration as
Magento's ConfigCollector reads them (the page's own path first, then the storefront's), so a
weakening written to `csp/*` shows in the headers. Magento's sha256 hashes of its own inline
scripts are not sent: the sandbox renders none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["security_headers"]

# (directive, Magento's policy key under csp/policies/storefront/, whitelisted hosts).
_POLICIES = (
    ("font-src", "fonts", "fonts.gstatic.com use.typekit.net *.typekit.net *.gstatic.com data:"),
    (
        "form-action",
        "forms",
        (
            "geostag.cardinalcommerce.com geo.cardinalcommerce.com "
            "1eafstag.cardinalcommerce.com 1eaf.cardinalcommerce.com "
            "centinelapistag.cardinalcommerce.com centinelapi.cardinalcommerce.com "
            "pilot-payflowlink.paypal.com www.paypal.com www.sandbox.paypal.com *.paypal.com"
        ),
    ),
    ("frame-ancestors", "frame-ancestors", ""),
    (
        "frame-src",
        "frames",
        (
            "fast.amc.demdex.net *.adobe.com bid.g.doubleclick.net *.youtube.com "
            "*.youtube-nocookie.com geostag.cardinalcommerce.com geo.cardinalcommerce.com "
            "1eafstag.cardinalcommerce.com 1eaf.cardinalcommerce.com "
            "centinelapistag.cardinalcommerce.com centinelapi.cardinalcommerce.com "
            "www.paypal.com www.sandbox.paypal.com pilot-payflowlink.paypal.com "
            "player.vimeo.com https://www.google.com/recaptcha/ *.braintreegateway.com "
            "*.paypal.com google.com *.google.com"
        ),
    ),
    (
        "img-src",
        "images",
        (
            "assets.adobedtm.com amcglobal.sc.omtrdc.net dpm.demdex.net cm.everesttech.net "
            "*.adobe.com widgets.magentocommerce.com data: www.googleadservices.com "
            "www.google-analytics.com googleads.g.doubleclick.net www.google.com "
            "bid.g.doubleclick.net analytics.google.com www.googletagmanager.com *.ftcdn.net "
            "*.behance.net t.paypal.com www.paypal.com www.paypalobjects.com fpdbs.paypal.com "
            "fpdbs.sandbox.paypal.com *.vimeocdn.com i.ytimg.com *.youtube.com p.typekit.net "
            "*.paypal.com *.typekit.net *.gstatic.com validator.swagger.io data:"
        ),
    ),
    (
        "script-src",
        "scripts",
        (
            "assets.adobedtm.com *.adobe.com www.googleadservices.com "
            "www.google-analytics.com googleads.g.doubleclick.net analytics.google.com "
            "www.googletagmanager.com *.newrelic.com *.nr-data.net "
            "geostag.cardinalcommerce.com 1eafstag.cardinalcommerce.com "
            "geoapi.cardinalcommerce.com 1eafapi.cardinalcommerce.com "
            "songbird.cardinalcommerce.com includestest.ccdc02.com "
            "*.commerce-payment-services.com www.paypal.com www.sandbox.paypal.com "
            "www.paypalobjects.com t.paypal.com s.ytimg.com www.googleapis.com vimeo.com "
            "www.vimeo.com *.vimeocdn.com *.youtube.com https://www.gstatic.com/recaptcha/ "
            "https://www.google.com/recaptcha/ amcglobal.sc.omtrdc.net *.magento-ds.com "
            "use.typekit.net *.typekit.net google.com *.google.com *.cdn-apple.com"
        ),
    ),
    ("style-src", "styles", "*.adobe.com fonts.googleapis.com"),
    ("object-src", "objects", ""),
    ("media-src", "media", "*.adobe.com"),
    ("manifest-src", "manifests", ""),
    (
        "connect-src",
        "connections",
        (
            "dpm.demdex.net amcglobal.sc.omtrdc.net www.google-analytics.com "
            "www.googleadservices.com analytics.google.com www.googletagmanager.com "
            "*.newrelic.com *.nr-data.net vimeo.com geostag.cardinalcommerce.com "
            "geo.cardinalcommerce.com 1eafstag.cardinalcommerce.com 1eaf.cardinalcommerce.com "
            "centinelapistag.cardinalcommerce.com centinelapi.cardinalcommerce.com "
            "www.sandbox.paypal.com www.paypalobjects.com www.paypal.com "
            "pilot-payflowlink.paypal.com *.adobe.io performance.typekit.net *.sentry.io "
            "*.paypal.com google.com *.google.com"
        ),
    ),
    ("child-src", "children", "http: https: blob:"),
    ("default-src", "default", ""),
    ("base-uri", "base", ""),
)

# Magento_Csp's config.xml defaults (self, inline, eval) per policy key.
_DEFAULTS = {key: ("1", "1", "0") for _, key, _ in _POLICIES}
_DEFAULTS |= {
    "default": ("1", "1", "1"),
    "scripts": ("1", "1", "1"),
    "frame-ancestors": ("1", "0", "0"),
}
# Magento_Checkout's config.xml: the checkout is enforced and runs no inline script.
_PAGE_DEFAULTS = {
    "csp/mode/storefront_checkout_index_index/report_only": "0",
    "csp/policies/storefront_checkout_index_index/scripts/inline": "0",
    "csp/policies/storefront_checkout_index_index/scripts/event_handlers": "1",
}


def security_headers(config: Callable[[str], str | None], action: str) -> list[tuple[str, str]]:
    """The headers Magento adds to a storefront page; `action` is its full action name
    (`checkout_index_index`, `cms_index_index`, ...), `config` reads a value in the store view."""

    def read(area_path: str, default: str) -> str:
        page = area_path.replace("storefront/", f"storefront_{action}/", 1)
        for path in (page, area_path):
            value = config(path)
            if value is None:
                value = _PAGE_DEFAULTS.get(path)
            if value is not None:
                return value
        return default

    parts = []
    for directive, key, hosts in _POLICIES:
        on = _DEFAULTS[key]
        tokens = hosts.split()
        flags = ("self", "inline", "eval")
        chosen = [read(f"csp/policies/storefront/{key}/{flag}", on[i]) == "1"
                  for i, flag in enumerate(flags)]  # fmt: skip
        for enabled, token in zip(
            chosen, ("'self'", "'unsafe-inline'", "'unsafe-eval'"), strict=True
        ):
            if enabled:
                tokens.append(token)
        handlers = key == "scripts" and not chosen[1]
        if handlers and read("csp/policies/storefront/scripts/event_handlers", "0") == "1":
            tokens.append("'unsafe-hashes'")
        parts.append(" ".join((directive, *tokens)))
    report_only = read("csp/mode/storefront/report_only", "1") == "1"
    name = "Content-Security-Policy-Report-Only" if report_only else "Content-Security-Policy"
    return [
        (name, "; ".join(parts) + ";"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-XSS-Protection", "1; mode=block"),
    ]
