"""Browser tests: the app served on loopback over the demo office, driven in Debian's Chromium by Playwright.

Playwright never downloads a browser here: it launches the `chromium` Debian package. Without it the tests
are skipped, except where FAGFLYT_REQUIRE_BROWSER=1 (CI), where a missing browser fails the run.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from tests.web.demo import PASSWORD, demo_template, demo_url, make_app  # noqa: F401  (fixtures)

CHROMIUM = "/usr/bin/chromium"  # the Debian package
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the run."""
    if not os.path.exists(CHROMIUM):
        message = "Debian's chromium package is not installed (apt-get install chromium)"
        if os.environ.get("FAGFLYT_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_app(demo_url, tmp_path):  # noqa: F811
    """The app on a private copy of the demo office."""
    app = make_app(tmp_path / "instance", demo_url)
    yield app
    app.extensions["fagflyt.engine"].db.engine.dispose()


@pytest.fixture
def base_url(live_app) -> Iterator[str]:
    """The app served on a free loopback port for the test."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def new_page(browser) -> Iterator[Any]:
    """Open pages in fresh browser contexts (one per user); all are closed after the test."""
    contexts = []

    def open_page():  # type: ignore[no-untyped-def]
        context = browser.new_context(locale="nb-NO")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page) -> Any:
    """A page in a fresh browser context for the test."""
    return new_page()


def sign_in(page: Any, base_url: str, username: str) -> None:
    """Sign in through the login form."""
    page.goto(f"{base_url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: urlsplit(url).path != "/login")
    page.wait_for_load_state("networkidle")


def serious_violations(page: Any, base_url: str) -> list[dict[str, Any]]:
    """Run axe-core (served from npm) on the page; return serious and critical violations."""
    page.add_script_tag(url=f"{base_url}/vendor/axe.min.js")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in SERIOUS]


def describe(violations: list[dict[str, Any]]) -> str:
    """A readable list of violations for an assertion message."""
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
                     for v in violations)
