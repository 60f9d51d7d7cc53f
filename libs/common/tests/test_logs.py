import json
import logging

from fastapi import FastAPI
from fastapi.testclient import TestClient

from resonance.common.logs import AccessLogMiddleware, JsonFormatter


def test_access_log_names_the_route_not_the_raw_path(caplog) -> None:  # type: ignore[no-untyped-def]
    app = FastAPI()

    @app.get("/people/{person_id}")
    async def person(person_id: str) -> dict[str, str]:
        return {"id": person_id}

    app.add_middleware(AccessLogMiddleware, service="test")
    with caplog.at_level(logging.INFO, logger="resonance.access"):
        r = TestClient(app).get("/people/jane.doe@example.com?email=jane.doe@example.com")
    assert r.status_code == 200
    [record] = [r for r in caplog.records if r.name == "resonance.access"]
    line = JsonFormatter().format(record)
    assert "jane.doe" not in line
    entry = json.loads(line)
    assert entry["route"] == "/people/{person_id}"
    assert entry["status"] == 200 and entry["method"] == "GET"
