"""Languages: Norwegian bokmål by default, English selectable; the catalogs are compiled on start-up.

Screen texts are written in English in the code and templates (`_("...")`) and translated to bokmål
in `web/translations/nb/LC_MESSAGES/messages.po`. The compiled `.mo` files are not kept in git: they
are written to the instance folder when the app starts (fast, and always in step with the `.po` files).
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request, session
from flask_babel import Babel
from flask_login import current_user

LOCALES = ("nb", "en")
DEFAULT_LOCALE = "nb"
SOURCE = Path(__file__).parent / "translations"


def compile_catalogs(target: Path) -> Path:
    """Compile every `.po` under web/translations to `.mo` under `target` (when missing or older)."""
    for po_path in SOURCE.glob("*/LC_MESSAGES/*.po"):
        mo_path = target / po_path.relative_to(SOURCE).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as source:
            catalog = read_po(source, locale=po_path.parts[-3])
        partial = mo_path.with_suffix(".mo.partial")
        with partial.open("wb") as out:
            write_mo(out, catalog)
        partial.replace(mo_path)
    return target


def current_locale() -> str:
    """The language of this request: the user's choice in this session, their profile, else bokmål."""
    chosen = session.get("locale")
    if chosen in LOCALES:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in LOCALES:
        return current_user.locale
    return DEFAULT_LOCALE


def init_app(app: Flask) -> None:
    """Set up Flask-Babel with catalogs compiled into the instance folder."""
    target = compile_catalogs(Path(app.instance_path) / "translations")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(target)
    app.config["BABEL_DEFAULT_LOCALE"] = DEFAULT_LOCALE
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Europe/Oslo"
    Babel(app, locale_selector=current_locale)

    @app.context_processor
    def _language() -> dict[str, object]:
        return {"current_locale": current_locale(), "locales": LOCALES, "request_path": request.path}
