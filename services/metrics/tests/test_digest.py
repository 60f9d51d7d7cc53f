"""The monthly digest from real events: the month of the tenant's zone, figures against the
month before, privacy, mail over SMTP to the sink, digest.ready, never sent twice; the HTML
opened in a real headless Chromium to check the charts render.

The tenant reports in Europe/Paris (UTC+2 in spring); "now" is 3 June 2026, so the digest is
May's. May in Paris: ann shares k1 (5 May), k2 (12 May), k3 (20 May); bob k1 (6 May) and k2 at
22:30 UTC on 30 April, which is already 1 May in Paris; cat k1 (7 May), and k2 at 23:30 UTC
on 31 May, which is June in Paris; dan (programme p2) k4 (8 May). So 7 shares by 4 people,
against April's 2 (ann, bob). Bob hides from boards: he is never listed among the people.
"""

import asyncio
import json
import re
import shutil
import subprocess
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from resonance.devstack.testing import Infra, RunningService, eventually, running_service
from resonance.devstack.testkit import count_of, read_events
from resonance.metrics.devtools.sample_facts import enrolment, share
from resonance.metrics.devtools.smtp_sink import SmtpSink
from resonance.metrics.jobs.digest import make_due_digests

TENANT = "digest-demo"
JUNE_3 = datetime(2026, 6, 3, 10, tzinfo=UTC)


def utc(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture(scope="module")
async def sink() -> AsyncIterator[SmtpSink]:
    started = await SmtpSink(smtp_port=0, http_port=None).start()
    yield started
    await started.stop()


@pytest.fixture(scope="module")
async def metrics(infra: Infra, sink: SmtpSink) -> AsyncIterator[RunningService]:
    async with running_service(
        infra, "metrics", smtp_port=sink.smtp_port, digest_check_interval_s=3600
    ) as svc:
        svc.runtime.clock = lambda: JUNE_3
        yield svc


@pytest.fixture(scope="module")
async def activity(infra: Infra, metrics: RunningService, send, processed) -> dict[str, str]:
    manager = infra.auth(tenant=TENANT, roles=["program_manager"])
    # The zone first: facts are filed under the local day they happen on.
    r = await metrics.client.put(
        "/v1/settings",
        json={
            "timezone": "Europe/Paris",
            "digest_recipients": ["pm@acme.example"],
            "programme_recipients": {"p1": ["p1-lead@acme.example"]},
        },
        headers=manager,
    )
    assert r.status_code == 200, r.text
    # Enrolments travel on another topic than shares: wait for them too.
    enrolled = await send(
        TENANT,
        *(enrolment(p, site="paris") for p in ("ann", "bob", "cat")),
        time=utc(4, 1),
    )
    enrolled += await send(TENANT, enrolment("dan", programme="p2"), time=utc(5, 5))
    sent = enrolled + await send(
        TENANT,
        share("ann", 1, utc(4, 10), content="k1"),
        share("bob", 1, utc(4, 11), content="k1"),
        share("ann", 2, utc(5, 5), content="k1"),
        share("ann", 3, utc(5, 12), content="k2"),
        share("ann", 4, utc(5, 20), content="k3"),
        share("bob", 2, utc(5, 6), content="k1"),
        share("bob", 3, utc(4, 30, 22, 30), content="k2"),
        share("cat", 1, utc(5, 7), content="k1"),
        share("cat", 2, utc(5, 31, 23, 30), content="k2"),
        share("dan", 1, utc(5, 8), content="k4"),
    )
    for envelope in sent:
        await eventually(lambda e=envelope: processed(e.id), timeout=30)
    bob = infra.auth(tenant=TENANT, roles=["ambassador"], subject="sub-bob")
    await metrics.client.put("/v1/me/privacy", json={"hidden": True}, headers=bob)
    return manager


async def test_monthly_digest_is_made_sent_once_and_readable(
    infra: Infra, metrics: RunningService, sink: SmtpSink, activity
) -> None:
    manager = activity
    made = await make_due_digests(metrics.runtime)
    assert len(made) == 3  # the tenant, p1 and p2
    assert await make_due_digests(metrics.runtime) == []  # nothing is due twice

    mails = {m.rcpt_to: m for m in sink.messages}
    assert set(mails) == {("pm@acme.example",), ("p1-lead@acme.example",)}
    tenant_mail = mails[("pm@acme.example",)].message
    assert tenant_mail["Subject"] == "Advocacy digest 2026-05"
    html_part = tenant_mail.get_body(preferencelist=("html",))
    assert html_part is not None and 'src="cid:daily"' in html_part.get_content()
    images = [p for p in tenant_mail.walk() if p.get_content_type() == "image/png"]
    assert [p["Content-ID"] for p in images] == ["<daily>", "<items>"]
    assert mails[("p1-lead@acme.example",)].message["Subject"].endswith("programme p1")

    listing = (await metrics.client.get("/v1/digests", headers=manager)).json()["items"]
    by_scope = {d["programme_id"]: d for d in listing}
    assert {k: d["status"] for k, d in by_scope.items()} == {
        None: "sent",
        "p1": "sent",
        "p2": "stored",  # nobody to send it to: kept for the API only
    }
    whole = by_scope[None]["data"]
    assert (whole["period"], whole["previous"]) == ("2026-05", "2026-04")
    shares = whole["figures"]["shares"]
    assert (shares["current"], shares["previous"], shares["relative"]) == (7, 2, 2.5)
    assert (whole["figures"]["sharers"]["current"], whole["figures"]["enrolled"]["current"]) == (
        4,
        4,
    )
    assert [(i["content_id"], i["shares"]) for i in whole["top_items"]] == [
        ("k1", 3),
        ("k2", 2),
        ("k3", 1),
        ("k4", 1),
    ]
    # Bob (2 shares) hides: the people listed are ann (3), then cat and dan (1 each).
    assert [(p["ambassador_id"], p["contributions"]) for p in whole["top_people"]] == [
        ("ann", 3),
        ("cat", 1),
        ("dan", 1),
    ]
    assert whole["daily_shares"][0] == 1  # bob's share of 30 April 22:30 UTC is 1 May here
    assert len(whole["daily_shares"]) == 31
    p1 = by_scope["p1"]["data"]
    assert p1["figures"]["shares"]["current"] == 6  # without dan, who is in p2

    await read_events(infra, metrics.settings.topic_prefix, "digest", count_of("digest.ready", 3))

    page = await metrics.client.get(
        f"/v1/digests/{by_scope[None]['id']}", headers={**manager, "Accept": "text/html"}
    )
    assert page.headers["content-type"].startswith("text/html")
    assert page.text.count('<svg class="chart"') == 2
    as_json = await metrics.client.get(f"/v1/digests/{by_scope[None]['id']}", headers=manager)
    assert as_json.json()["label"] == "2026-05"


async def test_two_runs_racing_send_each_digest_once(
    metrics: RunningService, sink: SmtpSink, activity
) -> None:
    before = len(sink.messages)
    metrics.runtime.clock = lambda: datetime(2026, 7, 2, 9, tzinfo=UTC)  # June is due now
    try:
        first, second = await asyncio.gather(
            make_due_digests(metrics.runtime), make_due_digests(metrics.runtime)
        )
    finally:
        metrics.runtime.clock = lambda: JUNE_3
    assert len(first) + len(second) == 3
    june = [m for m in list(sink.messages)[before:]]
    assert sorted(m.rcpt_to for m in june) == [("p1-lead@acme.example",), ("pm@acme.example",)]
    assert all(m.message["Subject"].startswith("Advocacy digest 2026-06") for m in june)


PROBE = """<script>
(() => {
  const charts = [...document.querySelectorAll('svg.chart')].map((svg) => {
    const box = svg.getBoundingClientRect();
    const drawn = [...svg.querySelectorAll('path, rect, use, text')].filter((e) => {
      const b = e.getBBox();
      return b.width > 0 && b.height > 0;
    });
    return {name: svg.dataset.chart, width: box.width, height: box.height, drawn: drawn.length};
  });
  const out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify(charts);
  document.body.appendChild(out);
})();
</script>"""


async def test_digest_charts_render_in_headless_chromium(
    metrics: RunningService, activity, tmp_path: Path
) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (the project's bootstrap installs it)")
    manager = activity
    page = await metrics.client.get("/v1/digests/preview", headers=manager)
    assert page.status_code == 200, page.text
    document = tmp_path / "digest.html"
    document.write_text(page.text.replace("</body>", PROBE + "</body>"))
    result = await asyncio.to_thread(
        subprocess.run,
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1024,2000",
            "--dump-dom",
            document.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    found = re.search(r'<pre id="probe">(.*?)</pre>', result.stdout, re.S)
    assert found, result.stderr[-2000:]
    charts = json.loads(found.group(1).replace("&quot;", '"'))
    assert [c["name"] for c in charts] == ["daily", "items"]
    for chart in charts:
        # Laid out at the page's width, with lines, bars and labels actually drawn.
        assert chart["width"] > 300 and chart["height"] > 100, chart
        assert chart["drawn"] > 10, chart


def test_mail_parts_parse_back() -> None:
    # The sink keeps what it received as bytes; the standard parser reads our messages back.
    from resonance.metrics.mail.smtp import Mail, build_message

    message = build_message(
        "Resonance <no-reply@resonance.localhost>",
        Mail(
            to=["a@b.example"],
            subject="S",
            text="t",
            html="<img src='cid:x'>",
            images=[("x", b"png")],
        ),
    )
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert [p.get_content_type() for p in parsed.walk()] == [
        "multipart/alternative",
        "text/plain",
        "multipart/related",
        "text/html",
        "image/png",
    ]
