"""`Idempotency-Key` for every write: a retried request replays the first answer instead of
repeating its effect (draft-ietf-httpapi-idempotency-key-header semantics)."""

import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Executable, Table, and_, bindparam, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from resonance.common.auth import PRINCIPAL_SCOPE_KEY, InvalidToken, JwtVerifier, Principal
from resonance.common.db import Database
from resonance.common.errors import PROBLEM_BASE, PROBLEM_JSON

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MAX_KEY_LENGTH = 255
# A request still "in flight" after this long is presumed dead (its process crashed).
IN_FLIGHT_TIMEOUT_S = 60
REPLAYED_HEADERS = {"content-type", "location", "etag"}


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        key = headers.get("idempotency-key")
        if key is None:
            await self.app(scope, receive, send)
            return
        if not key or len(key) > MAX_KEY_LENGTH:
            await _problem(
                send, 400, "Invalid Idempotency-Key", f"1 to {MAX_KEY_LENGTH} characters"
            )
            return
        runtime = scope["app"].state.runtime
        # Authenticate from the headers before reading a byte of the body: an anonymous
        # caller cannot make us buffer anything.
        principal = await _principal(runtime.verifier, headers.get("authorization", ""))
        if principal is None:
            await self.app(scope, receive, send)  # the route answers 401 itself
            return
        scope[PRINCIPAL_SCOPE_KEY] = principal
        body = await _read_body(receive)
        replay = _replaying_receive(body)
        request_hash = hashlib.sha256(
            b"\n".join(
                [
                    scope["method"].encode(),
                    scope["path"].encode(),
                    scope.get("query_string", b""),
                    canonical_body(body, headers.get("content-type", "")),
                ]
            )
        ).hexdigest()
        store = _KeyStore(runtime.db, runtime.tables.idempotency, principal, key)
        outcome = await store.claim(request_hash)
        if outcome == "conflict":
            await _problem(
                send, 422, "Idempotency-Key reused", "this key was used for a different request"
            )
            return
        if outcome == "in_flight":
            await _problem(send, 409, "Request in progress", "a request with this key is running")
            return
        if isinstance(outcome, dict):
            await _replay(send, outcome)
            return
        captured: dict[str, Any] = {"status": 500, "headers": [], "body": b""}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = message.get("headers", [])
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, replay, capture)
        except BaseException:
            await store.release()
            raise
        if captured["status"] >= 500 or _no_store(captured["headers"]):
            # A failure is not an answer: let the client retry. An answer marked no-store
            # (it carries a secret) is never kept: a retry runs again instead of replaying it.
            await store.release()
        else:
            await store.complete(captured["status"], captured["headers"], captured["body"])


@dataclass(frozen=True)
class _Statements:
    """A table's statements, built once: building a statement and computing its cache key
    costs SQLAlchemy more CPU than running it, and every write pays for two of them. Values
    are bound at execution (names prefixed: a column's own name is reserved in SET)."""

    claim: Executable
    existing: Executable
    revive: Executable
    complete: Executable
    release: Executable

    @classmethod
    def of(cls, t: Table) -> "_Statements":
        where = and_(
            t.c.tenant == bindparam("p_tenant"),
            t.c.principal == bindparam("p_principal"),
            t.c.key == bindparam("p_key"),
        )
        return cls(
            claim=insert(t)
            .values(
                tenant=bindparam("p_tenant", type_=t.c.tenant.type),
                principal=bindparam("p_principal", type_=t.c.principal.type),
                key=bindparam("p_key", type_=t.c.key.type),
                request_hash=bindparam("p_hash", type_=t.c.request_hash.type),
            )
            .on_conflict_do_nothing()
            .returning(t.c.key),
            existing=select(t).where(where).with_for_update(),
            revive=update(t)
            .where(
                where,
                t.c.created_at < func.now() - text(f"interval '{IN_FLIGHT_TIMEOUT_S} seconds'"),
            )
            .values(created_at=func.now())
            .returning(t.c.key),
            complete=update(t)
            .where(where)
            .values(
                status_code=bindparam("p_status", type_=t.c.status_code.type),
                response_headers=bindparam("p_headers", type_=t.c.response_headers.type),
                response_body=bindparam("p_body", type_=t.c.response_body.type),
                completed_at=func.now(),
            ),
            release=delete(t).where(where, t.c.completed_at.is_(None)),
        )


_statements = functools.cache(_Statements.of)  # one set per table


class _KeyStore:
    def __init__(self, db: Database, table: Table, principal: Principal, key: str) -> None:
        self.db = db
        self.sql = _statements(table)
        self.values = {"p_tenant": principal.tenant, "p_principal": principal.subject, "p_key": key}

    async def claim(self, request_hash: str) -> str | dict[str, Any]:
        # The usual case, a new key, is one statement committing on its own (every write pays
        # for this, so no BEGIN/COMMIT round trips); a key already there is looked at in a
        # transaction of its own, as a concurrent release may happen between the two anyway.
        async with self.db.autocommit() as conn:
            inserted = await conn.execute(self.sql.claim, {**self.values, "p_hash": request_hash})
            if inserted.first() is not None:
                return "claimed"
        async with self.db.transaction() as session:
            row = (await session.execute(self.sql.existing, self.values)).first()
            if row is None:
                return "in_flight"  # released between our insert and select: let client retry
            if row.request_hash != request_hash:
                return "conflict"
            if row.completed_at is not None:
                return {
                    "status": row.status_code,
                    "headers": row.response_headers or {},
                    "body": row.response_body or "",
                }
            stale = await session.execute(self.sql.revive, self.values)
            return "claimed" if stale.first() is not None else "in_flight"

    async def complete(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        kept = {
            k.decode().lower(): v.decode()
            for k, v in headers
            if k.decode().lower() in REPLAYED_HEADERS
        }
        answer = {"p_status": status, "p_headers": kept, "p_body": body.decode(errors="replace")}
        async with self.db.autocommit() as conn:
            await conn.execute(self.sql.complete, {**self.values, **answer})

    async def release(self) -> None:
        async with self.db.autocommit() as conn:
            await conn.execute(self.sql.release, self.values)


def _no_store(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(k.lower() == b"cache-control" and b"no-store" in v.lower() for k, v in headers)


def canonical_body(body: bytes, content_type: str) -> bytes:
    """The body as compared between two uses of one key: JSON in canonical form (sorted keys,
    no insignificant whitespace), so the same document with another key order is the same
    request; anything else byte for byte."""
    if "json" not in content_type.lower():
        return body
    try:
        document = json.loads(body)
    except ValueError:
        return body
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


async def _principal(verifier: JwtVerifier, authorization: str) -> Principal | None:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        return await verifier.verify(token.strip())
    except InvalidToken:
        return None


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying_receive(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _replay(send: Send, stored: dict[str, Any]) -> None:
    body = stored["body"].encode()
    headers = [(k.encode(), v.encode()) for k, v in stored["headers"].items()]
    headers += [(b"idempotent-replayed", b"true"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": stored["status"], "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _problem(send: Send, status: int, title: str, detail: str) -> None:
    body = json.dumps(
        {
            "type": PROBLEM_BASE + title.lower().replace(" ", "-"),
            "title": title,
            "status": status,
            "detail": detail,
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
