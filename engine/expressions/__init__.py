"""The engine's safe expression language: checker, environment, script engine and deploy-time scanner."""

from .checker import check_source
from .environment import SafeEnvironment
from .library import SAFE_HELPERS
from .scan import scan_specs
from .script_engine import SafeScriptEngine, ServiceCall, ServiceRegistry

__all__ = [
    "SAFE_HELPERS",
    "SafeEnvironment",
    "SafeScriptEngine",
    "ServiceCall",
    "ServiceRegistry",
    "check_source",
    "scan_specs",
]
