"""Bounded request parsing: form, JSON or multipart bodies, query lists.

Each body is read up to MAX_BODY bytes and at most MAX_FIELDS fields; anything larger is
refused (None), so a client bug cannot fill the sandbox's memory.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request

MAX_BODY = 64 * 1024
MAX_FIELDS = 64
MAX_LIST = 100


async def read_body(request: Request) -> bytes | None:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # lets request.form() / json() reuse what was read
    return body


async def read_params(request: Request) -> dict[str, Any] | None:
    """A flat mapping from a form-encoded, JSON or multipart body (None if refused)."""
    body = await read_body(request)
    if body is None:
        return None
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith("application/json"):
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return None
        return data if isinstance(data, dict) and len(data) <= MAX_FIELDS else None
    if content_type.startswith("multipart/form-data"):
        form = await request.form(max_files=0, max_fields=MAX_FIELDS)
        return {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        pairs = parse_qsl(body.decode(), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        return None
    return dict(pairs)


async def read_json(request: Request) -> Any:
    """The JSON body, or None when it is missing, too large or malformed."""
    body = await read_body(request)
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def csv_list(value: str | None, limit: int = MAX_LIST) -> list[str] | None:
    """`a,b,c` to a list; None when longer than `limit`."""
    if not value:
        return []
    items = [part.strip() for part in value.split(",") if part.strip()]
    return items if len(items) <= limit else None


def strings(params: dict[str, Any]) -> dict[str, str]:
    """Token endpoints take strings only; drop anything else a JSON body carried."""
    return {k: v for k, v in params.items() if isinstance(v, str)}
