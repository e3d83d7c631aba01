"""Languages: bokmål by default with every screen text translated, English on request."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tests.web.browsing import post, sign_in, text

ROOT = Path(__file__).resolve().parents[2]


def _source_messages() -> set[str]:
    method_map = [("web/**.py", "python"), ("web/templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, keywords={"_": None, "_l": None, "gettext": None, "ngettext": (1, 2)}):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_screen_text_has_a_bokmal_translation():
    with (ROOT / "web/translations/nb/LC_MESSAGES/messages.po").open("rb") as f:
        catalog = read_po(f, locale="nb")
    translated = {(m.id if isinstance(m.id, str) else m.id[0]) for m in catalog
                  if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)}
    missing = sorted(_source_messages() - translated)
    assert not missing, f"texts without a bokmål translation: {missing}"


def test_bokmal_by_default_and_english_on_request(demo_app):
    client = demo_app.test_client()
    page = text(client.get("/login"))
    assert 'lang="nb"' in page and "Logg inn i Fagflyt" in page
    sign_in(client, "sara.saksbehandler")
    assert "Oppgavekøer" in text(client.get("/queues"))
    post(client, "/language", {"locale": "en", "next": "/queues"})
    english = text(client.get("/queues"))
    assert 'lang="en"' in english and "Task queues" in english and "Oppgavekøer" not in english
