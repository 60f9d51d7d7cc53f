"""A local SMTP sink for the stack and the tests: accepts every mail (aiosmtpd), keeps the last
few hundred in memory, and shows them on a small web page.

    python -m resonance.metrics.devtools.smtp_sink --smtp-port 8025 --http-port 8026

    GET /                     the received mails, newest first (HTML)
    GET /messages             the same as JSON
    GET /messages/{n}         mail n's HTML part as a page (inline images resolved)
    GET /messages/{n}/raw     mail n as received (message/rfc822)

Nothing leaves the machine: this is where the metrics service's digests and suggestions go
when it is pointed at it (RESONANCE_METRICS_SMTP_PORT).
"""

import argparse
import asyncio
import base64
import html
import os
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import uvicorn
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse, Response


@dataclass(frozen=True)
class Received:
    number: int
    at: datetime
    mail_from: str
    rcpt_to: tuple[str, ...]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def summary(self) -> dict[str, Any]:
        message = self.message
        return {
            "number": self.number,
            "at": self.at.isoformat(),
            "from": self.mail_from,
            "to": list(self.rcpt_to),
            "subject": str(message.get("Subject", "")),
            "headers": {k: str(v) for k, v in message.items()},
        }

    def html_page(self) -> str:
        """The HTML part with cid: images turned into data: URLs (a browser cannot fetch cid)."""
        message = self.message
        body = message.get_body(preferencelist=("html", "plain"))
        if body is None:
            return "<p>(empty)</p>"
        content = body.get_content()
        if body.get_content_type() == "text/plain":
            return f"<pre>{html.escape(content)}</pre>"
        for part in message.walk():
            cid = part.get("Content-ID")
            if cid and part.get_content_maintype() == "image":
                payload = part.get_payload(decode=True)
                raw = payload if isinstance(payload, bytes) else b""
                data = base64.b64encode(raw).decode()
                url = f"data:{part.get_content_type()};base64,{data}"
                content = content.replace(f"cid:{cid.strip('<>')}", url)
        return str(content)


@dataclass
class _Handler:
    sink: "SmtpSink"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.sink.receive(envelope)
        return "250 Message accepted for delivery"


@dataclass
class SmtpSink:
    host: str = "127.0.0.1"
    smtp_port: int = 8025
    http_port: int | None = 8026
    keep: int = 500
    messages: deque[Received] = field(default_factory=deque)
    _count: int = 0
    _smtp: asyncio.Server | None = None
    _http: uvicorn.Server | None = None
    _http_task: asyncio.Task[None] | None = None

    def receive(self, envelope: Envelope) -> None:
        raw = envelope.original_content or envelope.content or b""
        self._count += 1
        self.messages.append(
            Received(
                number=self._count,
                at=datetime.now(UTC),
                mail_from=str(envelope.mail_from),
                rcpt_to=tuple(envelope.rcpt_tos),
                raw=raw if isinstance(raw, bytes) else raw.encode(),
            )
        )
        while len(self.messages) > self.keep:
            self.messages.popleft()

    async def start(self) -> "SmtpSink":
        loop = asyncio.get_running_loop()
        self._smtp = await loop.create_server(
            lambda: SMTP(_Handler(self), hostname="resonance-smtp-sink"), self.host, self.smtp_port
        )
        self.smtp_port = self._smtp.sockets[0].getsockname()[1]
        if self.http_port is not None:
            config = uvicorn.Config(
                web_app(self), host=self.host, port=self.http_port, log_level="warning"
            )
            self._http = uvicorn.Server(config)
            self._http_task = asyncio.create_task(self._http.serve())
        return self

    async def stop(self) -> None:
        if self._http is not None and self._http_task is not None:
            self._http.should_exit = True
            await self._http_task
        if self._smtp is not None:
            self._smtp.close()
            await self._smtp.wait_closed()

    def find(self, number: int) -> Received:
        for received in self.messages:
            if received.number == number:
                return received
        raise KeyError(number)


def web_app(sink: SmtpSink) -> FastAPI:
    app = FastAPI(title="SMTP sink", openapi_url=None, docs_url=None, redoc_url=None)

    def _one(number: int) -> Received:
        try:
            return sink.find(number)
        except KeyError:
            raise HTTPException(404, "no such message") from None

    @app.get("/", response_class=HTMLResponse)
    async def index() -> str:
        rows = "".join(
            f"<tr><td>{m.number}</td><td>{m.at:%Y-%m-%d %H:%M:%S}</td>"
            f"<td>{html.escape(', '.join(m.rcpt_to))}</td>"
            f'<td><a href="/messages/{m.number}">{html.escape(m.summary()["subject"])}</a></td>'
            f'<td><a href="/messages/{m.number}/raw">raw</a></td></tr>'
            for m in reversed(sink.messages)
        )
        return (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>SMTP sink</title></head>"
            "<body><h1>Mail received</h1><table border='1' cellpadding='4'>"
            "<tr><th>#</th><th>at (UTC)</th><th>to</th><th>subject</th><th></th></tr>"
            f"{rows}</table></body></html>"
        )

    @app.get("/messages")
    async def listing() -> list[dict[str, Any]]:
        return [m.summary() for m in reversed(sink.messages)]

    @app.get("/messages/{number}", response_class=HTMLResponse)
    async def page(number: int) -> str:
        return _one(number).html_page()

    @app.get("/messages/{number}/raw")
    async def raw(number: int) -> Response:
        return Response(_one(number).raw, media_type="message/rfc822")

    return app


def app_from_env() -> FastAPI:
    """The sink as one uvicorn app (how the local stack runs it): the page on uvicorn's port,
    the SMTP listener started in the app's lifespan on RESONANCE_SMTP_SINK_PORT."""
    sink = SmtpSink(
        os.environ.get("RESONANCE_SMTP_SINK_HOST", "127.0.0.1"),
        int(os.environ.get("RESONANCE_SMTP_SINK_PORT", "8025")),
        http_port=None,
    )
    app = web_app(sink)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await sink.start()
        try:
            yield
        finally:
            await sink.stop()

    app.router.lifespan_context = lifespan

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


async def _serve(host: str, smtp_port: int, http_port: int) -> None:
    sink = await SmtpSink(host, smtp_port, http_port).start()
    print(f"SMTP sink: smtp://{host}:{sink.smtp_port}, mail at http://{host}:{http_port}/")
    try:
        await asyncio.Event().wait()
    finally:
        await sink.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=8025)
    parser.add_argument("--http-port", type=int, default=8026)
    args = parser.parse_args()
    asyncio.run(_serve(args.host, args.smtp_port, args.http_port))


if __name__ == "__main__":
    main()
