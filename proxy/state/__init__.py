from .base import Journal, Script, StateBackend, StateError

__all__ = ["Journal", "Script", "StateBackend", "StateError"]
