"""RFC 7643/7644 conformance of /scim/v2, checked by scim2-tester over real HTTP.

The checker is a test-only tool outside the workspace's dev group; run with
    uv run --with scim2-tester --with 'scim2-client[httpx2]' \
        pytest services/ambassadors/tests/test_scim_conformance.py
(skipped when the checker is not installed).
"""

import threading
import time

import pytest

from resonance.ambassadors.main import create_app
from resonance.devstack.testing import Infra, free_port, service_settings

scim2_tester = pytest.importorskip("scim2_tester")
httpx2 = pytest.importorskip("httpx2")


def test_scim_server_passes_scim2_tester(infra: Infra) -> None:
    import uvicorn
    from scim2_client.engines.httpx2 import SyncSCIMClient

    settings = service_settings(infra, "ambassadors", infra.new_prefix())
    port = free_port()
    # Its own thread and event loop: the checker's client is synchronous.
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        token = infra.token(tenant="conformance", roles=["integration"])
        http = httpx2.Client(
            base_url=f"http://127.0.0.1:{port}/scim/v2",
            headers={"Authorization": f"Bearer {token}"},
        )
        client = SyncSCIMClient(http)
        client.discover()
        results = scim2_tester.check_server(client)
        failed = [(r.title, r.reason) for r in results if r.status != scim2_tester.Status.SUCCESS]
        assert len(results) > 100
        assert not failed, failed
    finally:
        server.should_exit = True
        thread.join(5)
