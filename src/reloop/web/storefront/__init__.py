"""The storefront: the buyer's pages under the market prefix (``/fr-fr/…``): shop, search, product, cart,
checkout, orders, account, alerts, trade-in, returns, reviews, impact, legal pages, SEO and media.

It may import the shared shell (``reloop.web``), never ``backoffice`` or ``console`` (import-linter)."""
