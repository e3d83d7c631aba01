"""The main menu: the screens the signed-in user's roles reach, in one list."""

from __future__ import annotations

from typing import NamedTuple

from flask import Flask, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .policy import Actor

# (endpoint, label, capability or "signed_in")
MENU = (
    ("queues.index", _l("Task queues"), "work_queues"),
    ("tasks.my_forms", _l("My forms"), "my_forms"),
    ("cases.search", _l("Find a case"), "view_cases"),
    ("start.index", _l("Start a case"), "start_cases"),
    ("processes.index", _l("Processes"), "manage_processes"),
    ("admin.index", _l("Administration"), "administer"),
    ("admin.profile", _l("My settings"), "signed_in"),
    ("home.index", _l("Overview"), "signed_in"),
)


class NavItem(NamedTuple):
    """One menu entry."""

    url: str
    label: str
    active: bool


def nav_items() -> list[NavItem]:
    """The menu entries for the current user."""
    if not current_user.is_authenticated:
        return []
    actor = Actor.current()
    items = []
    for endpoint, label, rule in MENU:
        if rule == "signed_in" or actor.can(rule):
            blueprint = endpoint.split(".")[0]
            active = request.blueprint == blueprint if blueprint != "home" else request.endpoint == endpoint
            items.append(NavItem(url_for(endpoint), str(label), active))
    return items


def init_app(app: Flask) -> None:
    """Offer `nav_items` to every template."""
    app.context_processor(lambda: {"nav_items": nav_items()})
