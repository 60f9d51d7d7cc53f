"""Odd input anywhere gets a 4xx problem document, never a 500, and stores nothing."""

import uuid

from resonance.devstack.testing import Infra, RunningService


async def test_odd_requests_are_4xx(infra: Infra, content: RunningService) -> None:
    t = f"t-{uuid.uuid4().hex[:8]}"
    writer = infra.auth(tenant=t, roles=["communicator"])
    manager = infra.auth(tenant=t, roles=["program_manager"])
    amb = infra.auth(tenant=t, roles=["ambassador"], subject="amb-1")
    c = content.client
    text_item = (
        await c.post(
            "/v1/items",
            json={"family": "market", "format": "text", "title": "t", "submit": "draft"},
            headers=writer,
        )
    ).json()["id"]
    missing = uuid.uuid4()
    cases = [
        ("PATCH", f"/v1/items/{text_item}", {"title": None}, writer, 422),
        ("PATCH", f"/v1/items/{text_item}", {"format": "link"}, writer, 422),
        ("PATCH", f"/v1/items/{text_item}", {"publish_at": "2026-01-01T00:00:00"}, writer, 422),
        ("PATCH", f"/v1/items/{text_item}", {"campaign_id": str(missing)}, writer, 422),
        ("PUT", f"/v1/items/{text_item}/captions", [{"network": "x"}], writer, 422),
        ("PUT", f"/v1/items/{text_item}/captions", {"not": "a list"}, writer, 422),
        ("POST", f"/v1/items/{text_item}/reject", None, manager, 422),
        ("POST", f"/v1/items/{text_item}/publish", {"publish_at": "soon"}, writer, 422),
        ("POST", f"/v1/items/{missing}/publish", None, writer, 404),
        ("GET", "/v1/kpis/mix?since=garbage", None, writer, 422),
        ("GET", "/v1/kpis/mix?since=2026-01-01T00:00:00", None, writer, 422),
        ("PUT", "/v1/settings", {"mix_target_company": 2}, manager, 422),
        ("PUT", "/v1/settings", {"blocked_terms": "not a list"}, manager, 422),
        (
            "POST",
            "/v1/campaigns",
            {
                "name": "x",
                "starts_at": "2026-01-01T00:00:00Z",
                "goal_metric": "shares",
                "goal_value": 10**30,
            },
            writer,
            422,
        ),
        (
            "POST",
            "/v1/campaigns",
            {"name": "x", "starts_at": "2026-01-01T00:00:00Z", "goal_metric": "shares"},
            writer,
            422,
        ),
        ("POST", f"/v1/campaigns/{missing}/launch", None, writer, 404),
        ("POST", "/v1/sources", {"name": "x", "url": "ftp://example.org/feed"}, writer, 422),
        (
            "POST",
            "/v1/sources",
            {"name": "x", "url": "https://e.org/f", "family": "market", "category": "job_offer"},
            writer,
            422,
        ),
        ("POST", f"/v1/sources/{missing}/poll", None, writer, 404),
        ("POST", "/v1/submissions", {"format": "link", "title": "no url"}, amb, 422),
        ("POST", f"/v1/submissions/{missing}/approve", None, writer, 404),
        ("POST", f"/v1/submissions/{missing}/reject", {"reason": ""}, writer, 422),
        ("GET", "/v1/feed?limit=0", None, amb, 422),
        ("GET", "/v1/feed?limit=1000", None, amb, 422),
        ("GET", "/v1/feed?campaign_id=nope", None, amb, 422),
        ("GET", "/v1/feed?format=gif", None, amb, 422),
        ("GET", "/v1/items?status=lost", None, writer, 422),
        ("GET", "/v1/items?offset=-1", None, writer, 422),
        ("POST", "/v1/previews", {"url": "http://[::1"}, writer, 422),
        ("POST", "/v1/items", "not json at all", writer, 422),
    ]
    for method, url, body, headers, expected in cases:
        if isinstance(body, str):
            r = await c.request(
                method, url, content=body, headers={**headers, "Content-Type": "application/json"}
            )
        else:
            r = await c.request(method, url, json=body, headers=headers)
        assert r.status_code == expected, (method, url, body, r.status_code, r.text)
        assert r.headers["content-type"] == "application/problem+json", (method, url)
    item = (await c.get(f"/v1/items/{text_item}", headers=writer)).json()
    assert (item["title"], item["status"], item["format"]) == ("t", "draft", "text")
