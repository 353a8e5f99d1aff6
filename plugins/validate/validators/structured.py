"""Structured output: `response_format` JSON and tool calls.

- `response_format: {"type": "json_object"}`: the content must parse as a JSON object.
- `response_format: {"type": "json_schema", "json_schema": {"schema": ...}}`: it must also
  validate against the schema (jsonschema, Draft 2020-12 unless `$schema` says otherwise).
- Every tool call must name a tool declared in `tools` (or legacy `functions`), and its
  arguments must parse as a JSON object that validates against the tool's `parameters`.

Schemas are compiled once and cached by their canonical JSON (bounded LRU), so a request
that repeats the same tools costs one dict lookup per tool call.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

import orjson
from jsonschema import exceptions as js_exc
from jsonschema import validators as js_validators
from pydantic import BaseModel, ConfigDict, Field

from .base import Subject, ValidationResult


class StructuredConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    check_response_format: bool = True
    check_tool_calls: bool = True
    # Reject tool calls when the request declared no tools at all.
    require_declared_tools: bool = True
    max_cached_schemas: int = Field(512, ge=1)
    max_errors: int = Field(5, ge=1)


class SchemaCache:
    """Compiled jsonschema validators keyed by the schema's canonical JSON."""

    def __init__(self, limit: int = 512) -> None:
        self.limit = limit
        self._cache: OrderedDict[bytes, Any] = OrderedDict()
        self.compiled = 0

    def get(self, schema: Any) -> Any:
        key = orjson.dumps(schema, option=orjson.OPT_SORT_KEYS)
        v = self._cache.get(key)
        if v is not None:
            self._cache.move_to_end(key)
            return v
        cls = js_validators.validator_for(schema, default=js_validators.Draft202012Validator)
        try:
            cls.check_schema(schema)
            v = cls(schema)
        except js_exc.SchemaError as exc:
            v = _BrokenSchema(exc.message)
        self.compiled += 1
        self._cache[key] = v
        if len(self._cache) > self.limit:
            self._cache.popitem(last=False)
        return v


class _BrokenSchema:
    """The request's own schema is invalid: report it instead of blaming the model."""

    def __init__(self, message: str) -> None:
        self.message = message


def _errors(validator: Any, instance: Any, limit: int) -> list[str]:
    out = []
    for err in validator.iter_errors(instance):
        path = "/".join(str(p) for p in err.absolute_path) or "<root>"
        out.append(f"{path}: {err.message[:200]}")
        if len(out) >= limit:
            break
    return out


class StructuredValidator:
    name = "structured"
    Config = StructuredConfig

    def __init__(self, config: StructuredConfig | None = None) -> None:
        self.cfg = config or StructuredConfig()
        self.schemas = SchemaCache(self.cfg.max_cached_schemas)

    def _tools(self, body: dict[str, Any], cache: dict[str, Any]) -> dict[str, Any] | None:
        tools = cache.get("structured.tools")
        if tools is None:
            declared: dict[str, Any] = {}
            for t in body.get("tools") or ():
                if isinstance(t, dict) and t.get("type", "function") == "function" and isinstance(t.get("function"), dict):
                    fn = t["function"]
                    if isinstance(fn.get("name"), str):
                        declared[fn["name"]] = fn.get("parameters")
            for fn in body.get("functions") or ():
                if isinstance(fn, dict) and isinstance(fn.get("name"), str):
                    declared[fn["name"]] = fn.get("parameters")
            has = bool(body.get("tools") or body.get("functions"))
            tools = cache["structured.tools"] = (declared if has else None,)
        return tools[0]

    def validate(self, subject: Subject) -> ValidationResult:
        ans, body = subject.answer, subject.body
        issues: list[str] = []
        bad_claims: list[str] = []
        rf = body.get("response_format")
        if self.cfg.check_response_format and isinstance(rf, dict) and rf.get("type") in ("json_object", "json_schema") and not ans.tool_calls:
            if ans.refusal and not ans.content:
                pass  # a refusal is a legitimate answer to a schema request
            elif ans.finish_reason == "length":
                issues.append("response_format: the JSON answer was cut off (finish_reason length)")
            else:
                try:
                    doc = orjson.loads(ans.content or "")
                except orjson.JSONDecodeError as exc:
                    doc = None
                    issues.append(f"response_format {rf.get('type')}: the content is not valid JSON ({str(exc)[:120]})")
                else:
                    if rf["type"] == "json_object" and not isinstance(doc, dict):
                        issues.append(f"response_format json_object: the content is a JSON {type(doc).__name__}, not an object")
                    elif rf["type"] == "json_schema":
                        js = rf.get("json_schema") or {}
                        schema = js.get("schema") if isinstance(js, dict) else None
                        if isinstance(schema, dict):
                            v = self.schemas.get(schema)
                            if isinstance(v, _BrokenSchema):
                                pass  # the client's schema is invalid; not the model's fault
                            else:
                                for e in _errors(v, doc, self.cfg.max_errors):
                                    issues.append(f"response_format json_schema {js.get('name', '')!s}: {e}".replace("  ", " "))
        if self.cfg.check_tool_calls and ans.tool_calls:
            declared = self._tools(body, subject.cache)
            for tc in ans.tool_calls:
                if declared is None:
                    if self.cfg.require_declared_tools:
                        issues.append(f"tool call {tc.name!r}: the request declared no tools")
                        bad_claims.append(str(tc.name))
                    continue
                if tc.name not in declared:
                    issues.append(f"tool call {tc.name!r}: not a declared tool (declared: {', '.join(sorted(declared)) or 'none'})")
                    bad_claims.append(str(tc.name))
                    continue
                try:
                    args = orjson.loads(tc.arguments or "{}")
                except orjson.JSONDecodeError as exc:
                    issues.append(f"tool call {tc.name!r}: arguments are not valid JSON ({str(exc)[:120]})")
                    continue
                if not isinstance(args, dict):
                    issues.append(f"tool call {tc.name!r}: arguments must be a JSON object, got {type(args).__name__}")
                    continue
                schema = declared[tc.name]
                if isinstance(schema, dict) and schema:
                    v = self.schemas.get(schema)
                    if not isinstance(v, _BrokenSchema):
                        for e in _errors(v, args, self.cfg.max_errors):
                            issues.append(f"tool call {tc.name!r} arguments: {e}")
        if issues:
            return ValidationResult.fail(self.name, issues, 0.0, bad_claims)
        return ValidationResult.ok(self.name)
