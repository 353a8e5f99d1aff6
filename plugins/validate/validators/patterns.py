"""Deny patterns (secrets, card numbers, forbidden phrases) and a URL domain allow-list.

Built-in detectors (each can be switched off): API keys and tokens of common vendors, PEM
private keys, AWS access keys, card numbers (13-19 digits, spaces or dashes allowed,
Luhn-checked so order numbers do not trip it). `deny` adds regexes, `forbidden_phrases`
adds case-insensitive phrases. `allowed_domains` (when non-empty) makes every link in the
answer point to one of those domains or their subdomains; links that also appear in the
conversation are always allowed (the model may repeat what it was given).
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, field_validator

from .base import Subject, ValidationResult

_SECRETS = {
    "openai_key": r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}",
    "anthropic_key": r"\bsk-ant-[A-Za-z0-9_-]{20,}",
    "aws_access_key": r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b",
    "github_token": r"\bgh[pousr]_[A-Za-z0-9]{36,}\b",
    "slack_token": r"\bxox[abprs]-[A-Za-z0-9-]{10,}",
    "google_api_key": r"\bAIza[0-9A-Za-z_-]{35}\b",
    "private_key": r"-----BEGIN (?:RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----",
    "jwt": r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
}
# How a secret or a link begins: an unfinished word like these may still become one.
_HEADS = ("sk-", "AKIA", "ASIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-",
          "AIza", "eyJ", "-----", "http", "www.")
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
_URL = re.compile(r"https?://[^\s<>()\"'\]]+|(?<![@\w.])www\.[^\s<>()\"'\]]+", re.IGNORECASE)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


class PatternsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    secrets: bool = True
    card_numbers: bool = True
    deny: list[str] = []  # extra regexes
    forbidden_phrases: list[str] = []
    allowed_domains: list[str] = []  # empty: any link allowed
    # Also scan tool-call arguments.
    check_tool_arguments: bool = True

    @field_validator("deny")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        for p in v:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"deny pattern {p!r} is not a valid regex: {exc}") from None
        return v


def _host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in allowed)


class PatternsValidator:
    name = "patterns"
    Config = PatternsConfig

    def __init__(self, config: PatternsConfig | None = None) -> None:
        self.cfg = c = config or PatternsConfig()
        parts = []
        if c.secrets:
            parts += [f"(?P<{k}>{v})" for k, v in _SECRETS.items()]
        parts += [f"(?P<deny{i}>{p})" for i, p in enumerate(c.deny)]
        self._re = re.compile("|".join(parts)) if parts else None
        self._phrase = re.compile("|".join(re.escape(p) for p in c.forbidden_phrases), re.IGNORECASE) if c.forbidden_phrases else None
        self._allowed = tuple(d.lower().lstrip(".") for d in c.allowed_domains)
        self._phrases = [p.lower() for p in c.forbidden_phrases if p]
        self._longest = max((len(p) for p in self._phrases), default=0)

    def _texts(self, subject: Subject) -> list[str]:
        a = subject.answer
        out = [a.content] if a.content else []
        if self.cfg.check_tool_arguments:
            out += [t.arguments for t in a.tool_calls if t.arguments]
        return out

    def _context_urls(self, subject: Subject) -> set[str]:
        urls = subject.cache.get("patterns.urls")
        if urls is None:
            urls = set()
            for msg in subject.body.get("messages") or ():
                c = msg.get("content") if isinstance(msg, dict) else None
                if isinstance(c, list):
                    c = " ".join(p.get("text", "") for p in c if isinstance(p, dict) and isinstance(p.get("text"), str))
                if isinstance(c, str) and ("http" in c or "www." in c):
                    urls.update(u.rstrip(".,;:!?") for u in _URL.findall(c))
            subject.cache["patterns.urls"] = urls
        return urls

    def find(self, text: str, subject: Subject) -> list[tuple[int, int, str, str]]:
        """Every finding in `text` as (start, end, issue, what): the live stream guard cuts at `start`."""
        out: list[tuple[int, int, str, str]] = []
        if self._re is not None:
            for m in self._re.finditer(text):
                kind = m.lastgroup or "pattern"
                label = "secret" if kind in _SECRETS else "deny pattern"
                out.append((m.start(), m.end(), f"{label} ({kind}) in the answer", kind))
        if self._phrase is not None:
            for m in self._phrase.finditer(text):
                out.append((m.start(), m.end(), f"forbidden phrase {m.group(0)!r}", m.group(0)))
        if self.cfg.card_numbers:
            for m in _CARD.finditer(text):
                digits = re.sub(r"\D", "", m.group(0))
                if 13 <= len(digits) <= 19 and luhn_ok(digits):
                    out.append((m.start(), m.end(), f"card number ending {digits[-4:]} in the answer", "card"))
        if self._allowed:
            ctx_urls = None
            for m in _URL.finditer(text):
                url = m.group(0).rstrip(".,;:!?")
                host = urlsplit(url if "://" in url else "http://" + url).hostname or ""
                if _host_allowed(host, self._allowed):
                    continue
                if ctx_urls is None:
                    ctx_urls = self._context_urls(subject)
                if url in ctx_urls:
                    continue
                out.append((m.start(), m.end(), f"link to a domain that is not allowed: {host}", url))
        out.sort()
        return out

    def unsettled_from(self, text: str, pos: int) -> int:
        """Where the tail of a live answer may still become a finding: the start of a forbidden
        phrase it has begun, of an unfinished word (a secret, a card number or a link grows
        until white space), or, with custom deny patterns (any regex), of the open sentence."""
        n = len(text)
        cut = n
        if text and not text[-1].isspace():
            start = max(pos, max(text.rfind(" ", 0, n), text.rfind("\n", 0, n)) + 1)
            word = text[start:].lstrip("([{\"'*_<")
            if word and (word[0].isdigit() or any(p.startswith(word[:len(p)]) for p in _HEADS)):
                cut = start
            if self.cfg.card_numbers and word[:1].isdigit():
                # a card number is digit groups separated by single spaces or dashes
                k = cut
                while k > pos and (text[k - 1] in " -" or text[k - 1].isdigit()) and (k < 2 or text[k - 2].isdigit()):
                    k -= 1
                cut = k
        if self._phrase is not None:
            low = text[max(pos, n - self._longest):].lower()
            base = n - len(low)
            for phrase in self._phrases:
                for k in range(min(len(phrase) - 1, len(low)), 0, -1):
                    at = base + len(low) - k
                    if (at == 0 or not text[at - 1].isalnum()) and phrase.startswith(low[len(low) - k:]):
                        cut = min(cut, at)
                        break
        if self.cfg.deny:
            i = max(text.rfind(". ", pos, n), text.rfind("\n", pos, n))
            cut = min(cut, i + 1 if i >= 0 else pos)
        return max(pos, cut)

    def validate(self, subject: Subject) -> ValidationResult:
        issues: list[str] = []
        found: list[str] = []
        for text in self._texts(subject):
            for _, _, issue, what in self.find(text, subject):
                issues.append(issue)
                found.append(what)
        if issues:
            return ValidationResult.fail(self.name, issues[:20], 0.0, found[:20])
        return ValidationResult.ok(self.name)
