from .base import Provider, provider_class, register

__all__ = ["Provider", "provider_class", "register"]
