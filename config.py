"""Settings for Fagflyt, read from the environment. Imports nothing of ours."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "production"
    INSTANCE_PATH = Path(os.environ.get("FAGFLYT_INSTANCE", ROOT / "instance"))
    DATABASE_URL = os.environ.get("DATABASE_URL", "")
    SECRET_KEY = os.environ.get("FAGFLYT_SECRET_KEY", "")
    WORKFLOWS_PATH = Path(os.environ.get("FAGFLYT_WORKFLOWS", ROOT / "workflows"))
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    ALLOW_SYNTHETIC_IDS = False
    TESTING = False
    PUBLIC_URL = os.environ.get("FAGFLYT_PUBLIC_URL", "http://127.0.0.1:5000")
    # E-mail: "smtp" delivers through the server below; "outbox" keeps every message in the outbox only.
    MAIL_BACKEND = os.environ.get("FAGFLYT_MAIL_BACKEND", "smtp")
    MAIL_FROM = os.environ.get("FAGFLYT_MAIL_FROM", "fagflyt@localhost")
    SMTP_HOST = os.environ.get("FAGFLYT_SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("FAGFLYT_SMTP_PORT", "587"))
    SMTP_USERNAME = os.environ.get("FAGFLYT_SMTP_USERNAME") or None
    SMTP_PASSWORD = os.environ.get("FAGFLYT_SMTP_PASSWORD") or None
    SMTP_STARTTLS = os.environ.get("FAGFLYT_SMTP_STARTTLS", "1") not in ("0", "false", "no")
    WORKER_INTERVAL = float(os.environ.get("FAGFLYT_WORKER_INTERVAL", "1.0"))

    @classmethod
    def database_url(cls) -> str:
        """The configured database, or SQLite in the instance folder."""
        if cls.DATABASE_URL:
            return cls.DATABASE_URL
        return f"sqlite:///{cls.INSTANCE_PATH / 'fagflyt.db'}"

    @classmethod
    def secret_key(cls) -> str:
        """The session-signing secret; production refuses to start without one."""
        if not cls.SECRET_KEY:
            raise RuntimeError("FAGFLYT_SECRET_KEY must be set in production (e.g. `python -c "
                               "'import secrets; print(secrets.token_hex(32))'`)")
        return cls.SECRET_KEY


class DevelopmentConfig(Config):
    """Local development: SQLite, demo data, synthetic national ids, a secret kept in the instance folder."""

    ENV_NAME = "development"
    SESSION_COOKIE_SECURE = False
    ALLOW_SYNTHETIC_IDS = True
    MAIL_BACKEND = os.environ.get("FAGFLYT_MAIL_BACKEND", "outbox")

    @classmethod
    def secret_key(cls) -> str:
        """A random secret created once per instance folder (never a constant in the code)."""
        if cls.SECRET_KEY:
            return cls.SECRET_KEY
        path = cls.INSTANCE_PATH / "secret_key"
        if not path.exists():
            cls.INSTANCE_PATH.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip()


class TestingConfig(DevelopmentConfig):
    """The test suite: a fresh random secret per run."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = secrets.token_hex(16)


CONFIGS = {"production": Config, "development": DevelopmentConfig, "testing": TestingConfig}


def config_from_env() -> type[Config]:
    """Pick the settings class named by FAGFLYT_ENV (default: production)."""
    name = os.environ.get("FAGFLYT_ENV", "production")
    if name not in CONFIGS:
        raise RuntimeError(f"FAGFLYT_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
