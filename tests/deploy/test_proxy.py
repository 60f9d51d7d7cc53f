"""The local reverse proxy: real nginx, its generated config, in front of two tiny HTTP servers
that answer with their own name and the path they received."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from resonance.devstack.proxy import PROXY_PORT, ROUTES, LocalProxy, render_config
from resonance.devstack.stack import DevStack, ProcessSpec, _Running
from resonance.devstack.system_packages import NGINX, ensure


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _echo_server(name: str) -> ThreadingHTTPServer:
    class Echo(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(
                {"server": name, "path": self.path, "host": self.headers.get("Host")}
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalProxy]:
    ensure((NGINX,))  # `make test` installed it already (deps); a bare run installs it here
    a, b = _echo_server("A"), _echo_server("B")
    # Two servers for four services: A plays content and sharing, B ambassadors and metrics,
    # so a route sent to the wrong service shows up as the wrong server name.
    upstreams = {
        "content": a.server_address[1],
        "sharing": a.server_address[1],
        "ambassadors": b.server_address[1],
        "metrics": b.server_address[1],
    }
    running = LocalProxy(tmp_path_factory.mktemp("proxy"), upstreams, port=_free_port())
    running.start()
    yield running
    running.stop()
    a.shutdown()
    b.shutdown()


@pytest.mark.parametrize(
    ("path", "server", "upstream_path"),
    [
        # Stripped prefixes: the service sees its own /v1/... paths, query string kept.
        ("/content/v1/items?limit=5", "A", "/v1/items?limit=5"),
        (
            "/sharing/v1/connections/x/callback?code=c&state=s",
            "A",
            "/v1/connections/x/callback?code=c&state=s",
        ),
        ("/ambassadors/v1/programmes", "B", "/v1/programmes"),
        ("/metrics/v1/kpis/published", "B", "/v1/kpis/published"),
        ("/content/healthz", "A", "/healthz"),
        # Kept prefixes: SCIM clients and short links use the service's own paths.
        ("/scim/v2/Users?count=2", "B", "/scim/v2/Users?count=2"),
        ("/l/AbC123", "A", "/l/AbC123"),
    ],
)
def test_routes_reach_the_right_service_with_the_right_path(
    proxy: LocalProxy, path: str, server: str, upstream_path: str
) -> None:
    response = httpx.get(proxy.url + path, headers={"Host": "app.example"})
    assert response.status_code == 200
    assert response.json() == {"server": server, "path": upstream_path, "host": "app.example"}


def test_bare_prefix_redirects_and_unknown_paths_are_refused(proxy: LocalProxy) -> None:
    bare = httpx.get(proxy.url + "/content")
    assert bare.status_code == 308
    assert bare.headers["location"].endswith("/content/")
    # Neither a service's root path nor another prefix leaks through to a service.
    assert httpx.get(proxy.url + "/v1/items").status_code == 404
    assert httpx.get(proxy.url + "/contentx/v1/items").status_code == 404


def test_stopping_the_proxy_frees_its_port(tmp_path: Path) -> None:
    ensure((NGINX,))
    port = _free_port()
    running = LocalProxy(tmp_path, {"content": _free_port()}, port=port)
    running.start()
    running.stop()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))  # raises if nginx still held it


def test_routes_without_a_running_service_are_left_out(tmp_path: Path) -> None:
    config = render_config(tmp_path, {"content": 9001})
    assert "location /content/ { proxy_pass http://127.0.0.1:9001/; }" in config
    # Every other route names a service that has no port here.
    assert config.count("proxy_pass") == 1
    assert len(ROUTES) == 6


def test_the_local_stack_puts_the_proxy_in_front_of_its_running_services(tmp_path: Path) -> None:
    ensure((NGINX,))
    content = _echo_server("content")
    # The stack adds its port offset to every port: choose one that lands the proxy on a free
    # port and the content process on the echo server.
    offset = _free_port() - PROXY_PORT
    spec = ProcessSpec("content", "unused:app", content.server_address[1] - offset)
    stack = DevStack(tmp_path, port_offset=offset, processes=[spec], repo_root=tmp_path)
    # What _spawn records for a started process; only its spec and port matter here.
    idle = subprocess.Popen(["sleep", "30"])
    stack.running["content"] = _Running(spec, idle, tmp_path / "content.log", healthy=True)
    try:
        stack._start_proxy()
        assert stack.proxy is not None
        answer = httpx.get(f"http://127.0.0.1:{PROXY_PORT + offset}/content/v1/items")
        assert answer.json()["path"] == "/v1/items"
        assert "one origin for the APIs" in stack.summary()
    finally:
        stack.stop()  # stops the proxy and the stand-in process (PostgreSQL, Kafka never ran)
        content.shutdown()
    assert stack.proxy is None
    assert idle.poll() is not None
