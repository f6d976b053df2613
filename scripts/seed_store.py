#!/usr/bin/env python3
"""Seed a small, known data set into a real Magento over REST (stdlib only, idempotent).

The data set the real-store tests rely on (docs/testing.md), for a store of your own such as
docker-compose.yml's; a copy of the seed script that comes with the packed real Magento CI uses.

Usage: seed_store.py BASE_URL [--admin-user admin] [--admin-password 'Admin123!local']

What it makes (each only when missing):
  - 30 simple products IR-SKU-001..IR-SKU-030, "Incident Test Product N", price 10+N, qty 100,
    website 1;
  - 10 customers ir.customer01..10@example.com (Ir1..Ir10 Customer), password Customer123!;
  - CMS block "footer-promo" whose content carries a third-party <script> (a skimmer-like tag);
  - one guest order of IR-SKU-001 x1 for ir.guest@example.com, check/money order, flat rate.
Prints one JSON object: the product, customer, block and order ids. Exit 1 with the failing call
on error.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

PRODUCTS = [f"IR-SKU-{i:03d}" for i in range(1, 31)]
CUSTOMERS = [f"ir.customer{i:02d}@example.com" for i in range(1, 11)]
CUSTOMER_PASSWORD = "Customer123!"  # noqa: S105 - the seeded test customers' password
BLOCK_ID = "footer-promo"
BLOCK_CONTENT = (
    '<p>Sale!</p><script src="https://cdn-analytics.example.net/jquery.min.js"></script>'
)
GUEST_EMAIL = "ir.guest@example.com"
ADDRESS = {
    "firstname": "Ira",
    "lastname": "Tester",
    "street": ["1 Test Street"],
    "city": "Austin",
    "region": "Texas",
    "region_id": 57,
    "postcode": "78701",
    "country_id": "US",
    "telephone": "5125550100",
    "email": GUEST_EMAIL,
}


class SeedError(Exception):
    pass


def _dict(value: object) -> dict:
    if not isinstance(value, dict):
        raise SeedError(f"expected a JSON object, Magento answered {value!r:.200}")
    return value


class Rest:
    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.token: str | None = None

    def call(  # noqa: PLR0917 - one request's parts
        self,
        method: str,
        path: str,
        body: object = None,
        query: dict[str, str] | None = None,
        auth: bool = True,
        ok: tuple[int, ...] = (200,),
    ) -> tuple[int, object]:
        url = f"{self.base}/rest{path}" + ("?" + urllib.parse.urlencode(query) if query else "")
        req = urllib.request.Request(  # noqa: S310 - same
            url, method=method, data=None if body is None else json.dumps(body).encode()
        )
        req.add_header("Content-Type", "application/json")
        req.add_header("Accept", "application/json")
        if auth and self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=300) as r:  # noqa: S310 - http(s) from the user
                status, raw = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        except urllib.error.URLError as e:
            raise SeedError(f"{method} {url}: {e.reason}") from None
        try:
            payload: object = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode("utf-8", "replace")[:500]
        if status not in ok:
            message = payload.get("message") if isinstance(payload, dict) else payload
            raise SeedError(f"{method} {path} -> HTTP {status}: {message}")
        return status, payload

    def search(
        self, path: str, field: str, value: str, condition: str = "eq", page_size: int = 100
    ) -> dict:
        _, res = self.call(
            "GET",
            path,
            query={
                "searchCriteria[filter_groups][0][filters][0][field]": field,
                "searchCriteria[filter_groups][0][filters][0][value]": value,
                "searchCriteria[filter_groups][0][filters][0][condition_type]": condition,
                "searchCriteria[pageSize]": str(page_size),
            },
        )
        return _dict(res)


def seed(base: str, user: str, password: str) -> dict[str, object]:
    api = Rest(base)
    _, token = api.call(
        "POST", "/V1/integration/admin/token", {"username": user, "password": password}, auth=False
    )
    if not isinstance(token, str):
        raise SeedError("the admin token route answered no token")
    api.token = token
    made: dict[str, int] = {"products": 0, "customers": 0, "blocks": 0, "orders": 0}

    have = {
        p["sku"]: p["id"] for p in api.search("/V1/products", "sku", "IR-SKU-%", "like")["items"]
    }
    for i, sku in enumerate(PRODUCTS, start=1):
        if sku in have:
            continue
        _, p = api.call(
            "POST",
            "/V1/products",
            {
                "product": {
                    "sku": sku,
                    "name": f"Incident Test Product {i}",
                    "attribute_set_id": 4,
                    "price": 10 + i,
                    "status": 1,
                    "visibility": 4,
                    "type_id": "simple",
                    "weight": 1,
                    "extension_attributes": {
                        "website_ids": [1],
                        "stock_item": {"qty": 100, "is_in_stock": True},
                    },
                }
            },
        )
        p = _dict(p)
        have[sku] = p["id"]
        made["products"] += 1

    customers = {
        c["email"]: c["id"]
        for c in api.search("/V1/customers/search", "email", "ir.customer%@example.com", "like")[
            "items"
        ]
    }
    for i, email in enumerate(CUSTOMERS, start=1):
        if email in customers:
            continue
        _, c = api.call(
            "POST",
            "/V1/customers",
            {
                "customer": {
                    "email": email,
                    "firstname": f"Ir{i}",
                    "lastname": "Customer",
                    "website_id": 1,
                    "group_id": 1,
                },
                "password": CUSTOMER_PASSWORD,
            },
        )
        c = _dict(c)
        customers[email] = c["id"]
        made["customers"] += 1

    blocks = api.search("/V1/cmsBlock/search", "identifier", BLOCK_ID)["items"]
    if blocks:
        block_id = blocks[0]["id"]
    else:
        _, b = api.call(
            "POST",
            "/V1/cmsBlock",
            {
                "block": {
                    "identifier": BLOCK_ID,
                    "title": "Footer promo",
                    "content": BLOCK_CONTENT,
                    "active": True,
                }
            },
        )
        b = _dict(b)
        block_id = b["id"]
        made["blocks"] += 1

    orders = api.search("/V1/orders", "customer_email", GUEST_EMAIL)["items"]
    if orders:
        order = orders[0]
    else:
        _, cart = api.call("POST", "/V1/guest-carts", auth=False)
        api.call(
            "POST",
            f"/V1/guest-carts/{cart}/items",
            {"cartItem": {"sku": PRODUCTS[0], "qty": 1, "quote_id": cart}},
            auth=False,
        )
        api.call(
            "POST",
            f"/V1/guest-carts/{cart}/shipping-information",
            {
                "addressInformation": {
                    "shipping_address": ADDRESS,
                    "billing_address": ADDRESS,
                    "shipping_carrier_code": "flatrate",
                    "shipping_method_code": "flatrate",
                }
            },
            auth=False,
        )
        _, order_id = api.call(
            "PUT",
            f"/V1/guest-carts/{cart}/order",
            {"paymentMethod": {"method": "checkmo"}},
            auth=False,
        )
        _, order = api.call("GET", f"/V1/orders/{order_id}")
        made["orders"] += 1
    order = _dict(order)

    return {
        "base_url": api.base,
        "created": made,
        "products": {sku: have[sku] for sku in PRODUCTS},
        "customers": {email: customers[email] for email in CUSTOMERS},
        "customer_password": CUSTOMER_PASSWORD,
        "cms_block": {"identifier": BLOCK_ID, "id": block_id},
        "order": {
            "entity_id": order["entity_id"],
            "increment_id": order["increment_id"],
            "state": order.get("state"),
            "grand_total": order.get("grand_total"),
            "customer_email": order.get("customer_email"),
            "payment_method": order.get("payment", {}).get("method"),
            "shipping_method": order.get("shipping_description"),
        },
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base_url", help="e.g. http://127.0.0.1:8080")
    ap.add_argument("--admin-user", default="admin")
    ap.add_argument("--admin-password", default="Admin123!local")
    args = ap.parse_args()
    try:
        summary = seed(args.base_url, args.admin_user, args.admin_password)
    except SeedError as e:
        print(f"seed_store.py: {e}", file=sys.stderr)
        return 1
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
