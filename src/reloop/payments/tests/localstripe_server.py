"""Run localstripe (the local Stripe emulator from PyPI) on 127.0.0.1 only, from scratch:
``python -m reloop.payments.tests.localstripe_server --port 8420``. Its own ``localstripe`` command listens on
every interface; the contract tests and ``.ci/run`` use this instead."""

from __future__ import annotations

import argparse

from aiohttp import web
from localstripe.server import app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    args = parser.parse_args()
    web.run_app(app, host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
