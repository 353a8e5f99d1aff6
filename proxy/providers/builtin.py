"""Imports every built-in provider so `register` runs (add new provider modules here)."""
from . import openai  # noqa: F401
from . import anthropic, human, rules  # noqa: F401
