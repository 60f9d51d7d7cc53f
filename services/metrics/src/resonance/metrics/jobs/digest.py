"""Monthly digest job: once a month per tenant and per programme, in the tenant's zone, the
digest of the last complete month is made, stored, announced (digest.ready) and mailed to
the configured recipients (service/digests.py says why it is never sent twice)."""

import asyncio
import logging
import uuid
from typing import Literal

from resonance.common.service import Runtime
from resonance.metrics.mail import smtp
from resonance.metrics.render.charts import Chart, bar_chart, daily_chart
from resonance.metrics.render.digest_html import digest_json, render_html, title_of
from resonance.metrics.service import digests
from resonance.metrics.service.digests import DueDigest, Gathered
from resonance.metrics.settings import MetricsSettings

log = logging.getLogger(__name__)


async def run_digests(runtime: Runtime[MetricsSettings]) -> None:
    if not runtime.settings.run_jobs:
        return
    while True:
        try:
            await make_due_digests(runtime)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("digest round failed; retrying")
        await asyncio.sleep(runtime.settings.digest_check_interval_s)


async def make_due_digests(runtime: Runtime[MetricsSettings]) -> list[uuid.UUID]:
    """Makes (and sends) every digest due now; returns the ids of those made."""
    async with runtime.unit_of_work() as uow:
        tenants = await digests.tenants(uow)
    made = []
    for tenant in tenants:
        async with runtime.unit_of_work() as uow:
            due = await digests.due(uow, tenant)
        for item in due:
            digest_id = await make_digest(runtime, item)
            if digest_id is not None:
                made.append(digest_id)
    return made


def charts_of(gathered: Gathered) -> list[Chart]:
    content = gathered.content
    charts = [
        daily_chart(
            "Shares per day",
            gathered.daily,
            gathered.previous_daily,
            (content.period.label, content.previous.label),
        )
    ]
    if content.top_items:
        charts.append(
            bar_chart(
                "items",
                "Most shared items",
                [i.title for i in content.top_items],
                [i.shares for i in content.top_items],
            )
        )
    return charts


def render(gathered: Gathered, mode: Literal["inline", "email"]) -> tuple[list[Chart], str]:
    charts = charts_of(gathered)
    return charts, render_html(gathered.content, charts, mode)


async def make_digest(runtime: Runtime[MetricsSettings], due: DueDigest) -> uuid.UUID | None:
    async with runtime.unit_of_work() as uow:
        gathered = await digests.gather(uow, due)
    if gathered is None:
        return None
    # matplotlib is CPU work: a worker thread keeps the event loop serving meanwhile.
    charts, html = await asyncio.to_thread(render, gathered, "inline")
    email_html = render_html(gathered.content, charts, "email")
    data = {
        **digest_json(gathered.content),
        "daily_shares": gathered.daily,
        "previous_daily_shares": gathered.previous_daily,
    }
    async with runtime.unit_of_work() as uow:
        digest_id = await digests.claim(uow, due, gathered.content, html, data)
    if digest_id is None or not due.recipients:
        return digest_id
    mail = smtp.Mail(
        to=due.recipients,
        subject=title_of(gathered.content),
        text=_plain(gathered),
        html=email_html,
        images=[(c.name, c.png) for c in charts],
    )
    error = None
    try:
        await smtp.send(runtime.settings, mail)
    except Exception as exc:  # the server refused or is away: recorded, not retried
        error = f"{type(exc).__name__}: {exc}"[:500]
        log.warning("digest %s not sent: %s", digest_id, type(exc).__name__)
    async with runtime.unit_of_work() as uow:
        await digests.mark(uow, digest_id, error)
    return digest_id


def _plain(gathered: Gathered) -> str:
    content = gathered.content
    lines = [title_of(content), ""]
    lines += [
        f"{name}: {int(c.current)} (previous {int(c.previous)})" for name, c in content.figures
    ]
    lines += ["", "Most shared items:"] + [f"- {i.title}: {i.shares}" for i in content.top_items]
    return "\n".join(lines) + "\n"
