"""A signed-in test client: reads CSRF tokens from pages and posts forms the way a browser does."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from tests.web.demo import PASSWORD

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of the page at `path` (any page with a form has one)."""
    page = client.get(path)
    found = CSRF.search(page.get_data(as_text=True))
    assert found, f"no CSRF token on {path} ({page.status_code})"
    return found.group(1)


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    """Sign in through the login form; return the response."""
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_token(client)})


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None, *, form_page: str | None = None,
         **kwargs: Any) -> Any:
    """POST with a valid CSRF token taken from `form_page` (default: the front page)."""
    token = csrf_token(client, form_page or "/login")
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


def text(response: Any) -> str:
    """The response body as text."""
    return response.get_data(as_text=True)
