"""OpenAPI 3.1 description of Bulwark's own API, served at `GET /openapi.json`.

It covers what Bulwark itself answers and checks (the OpenAI-compatible subset plus its own
endpoints); the fuzz tests drive the running proxy from it. Request schemas are as loose
as OpenAI's (extra fields allowed) but type the fields Bulwark reads. Anthropic's
`/v1/messages` (errors in Anthropic's shape) is described in docs/apis.md, not here: this
document's error schema is OpenAI's.
"""
from __future__ import annotations

from typing import Any

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["message", "type", "param", "code"],
            "properties": {
                "message": {"type": "string"},
                "type": {"type": "string"},
                "param": {"type": ["string", "null"]},
                "code": {"type": ["string", "null"]},
            },
        }
    },
}

_MESSAGE = {
    "type": "object",
    "required": ["role"],
    "properties": {
        "role": {"type": "string", "enum": ["system", "developer", "user", "assistant", "tool"]},
        "content": {"anyOf": [{"type": "string"}, {"type": "null"}, {"type": "array", "items": {"type": "object"}}]},
        "name": {"type": "string"},
        "tool_call_id": {"type": "string"},
        "tool_calls": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}, "type": {"type": "string"}, "function": {"type": "object"}}}},
    },
}

_SAMPLING = {
    "temperature": {"type": "number", "minimum": 0, "maximum": 2},
    "top_p": {"type": "number", "minimum": 0, "maximum": 1},
    "max_tokens": {"type": "integer", "minimum": 1},
    "max_completion_tokens": {"type": "integer", "minimum": 1},
    "n": {"type": "integer", "minimum": 1, "maximum": 8},
    "seed": {"type": "integer"},
    "stream": {"type": "boolean"},
    "stream_options": {"type": "object", "properties": {"include_usage": {"type": "boolean"}}},
    "user": {"type": "string"},
    "stop": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(c): {"description": "OpenAI-shaped error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}} for c in codes}


def _op(summary: str, body_schema: dict[str, Any] | None, ok: dict[str, Any], errors: tuple[int, ...], op_id: str) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": op_id, "summary": summary, "responses": {"200": ok, **_errors(*errors)}}
    if body_schema is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body_schema}}}
    return op


_JSON_OK = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
_CHAT_OK = {"description": "A chat completion, or a stream of chunks when stream is true",
            "content": {"application/json": {"schema": {"type": "object"}}, "text/event-stream": {"schema": {"type": "string"}}}}
_COMMON = (400, 401, 403, 404, 413, 429, 502, 503, 504)
_RESPONSES_OK = {"description": "A Response object, or a stream of Responses events when stream is true",
                 "content": {"application/json": {"schema": {"type": "object"}}, "text/event-stream": {"schema": {"type": "string"}}}}
_INPUT_ITEM = {"type": "object", "properties": {
    "type": {"type": "string"}, "role": {"type": "string", "enum": ["user", "assistant", "system", "developer"]},
    "content": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "object"}}]},
    "call_id": {"type": "string"}, "name": {"type": "string"}, "arguments": {"type": "string"}, "output": {"type": "string"}}}
_RESPONSES_BODY = {
    "type": "object", "required": ["model", "input"],
    "properties": {"model": {"type": "string", "minLength": 1},
                   "input": {"anyOf": [{"type": "string"}, {"type": "array", "minItems": 1, "items": _INPUT_ITEM}]},
                   "instructions": {"type": "string"}, "max_output_tokens": {"type": "integer", "minimum": 1},
                   "tools": {"type": "array", "items": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}, "name": {"type": "string"}, "parameters": {"type": "object"}}}},
                   "text": {"type": "object", "properties": {"format": {"type": "object", "properties": {"type": {"enum": ["text", "json_object", "json_schema"]}}}}},
                   "previous_response_id": {"type": "string"},
                   "temperature": _SAMPLING["temperature"], "top_p": _SAMPLING["top_p"], "stream": {"type": "boolean"}, "user": {"type": "string"}},
}


def document(server_url: str = "/") -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Bulwark", "version": "0.1.0", "description": "A production-hardening sidecar that speaks the OpenAI API."},
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"ErrorResponse": _ERROR, "ChatMessage": _MESSAGE},
        },
        "paths": {
            "/v1/chat/completions": {"post": _op("Create a chat completion", {
                "type": "object", "required": ["model", "messages"],
                "properties": {"model": {"type": "string", "minLength": 1}, "messages": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/ChatMessage"}},
                               "tools": {"type": "array", "items": {"type": "object", "required": ["type", "function"], "properties": {"type": {"const": "function"}, "function": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "parameters": {"type": "object"}}}}}},
                               "response_format": {"type": "object"}, **_SAMPLING},
            }, _CHAT_OK, _COMMON, "createChatCompletion")},
            "/v1/responses": {"post": _op("Create a model response (OpenAI Responses API; the same chain as chat completions)",
                                          _RESPONSES_BODY, _RESPONSES_OK, _COMMON, "createResponse")},
            "/v1/completions": {"post": _op("Create a completion (legacy)", {
                "type": "object", "required": ["model", "prompt"],
                "properties": {"model": {"type": "string", "minLength": 1}, "prompt": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}, **_SAMPLING},
            }, _CHAT_OK, _COMMON, "createCompletion")},
            "/v1/embeddings": {"post": _op("Create embeddings", {
                "type": "object", "required": ["model", "input"],
                "properties": {"model": {"type": "string", "minLength": 1}, "input": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
                               "encoding_format": {"enum": ["float", "base64"]}, "dimensions": {"type": "integer", "minimum": 1}},
            }, _JSON_OK, _COMMON, "createEmbedding")},
            "/v1/models": {"get": _op("List models", None, _JSON_OK, (401, 502, 503, 504), "listModels")},
            "/v1/models/{model}": {"get": {**_op("Retrieve a model", None, _JSON_OK, (401, 404, 502, 503, 504), "retrieveModel"),
                                           "parameters": [{"name": "model", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]+$"}}]}},
            "/v1/feedback": {"post": _op("Rate an answer (feeds user satisfaction)", {
                "type": "object", "required": ["id", "rating"],
                "properties": {"id": {"type": "string"}, "rating": {"type": "integer", "minimum": 1, "maximum": 5}, "comment": {"type": "string"}},
            }, _JSON_OK, (400, 401), "createFeedback")},
            "/healthz": {"get": {"operationId": "healthz", "security": [], "summary": "Liveness", "responses": {"200": _JSON_OK}}},
            "/readyz": {"get": {"operationId": "readyz", "security": [], "summary": "Readiness", "responses": {"200": _JSON_OK, "503": _JSON_OK}}},
        },
    }
