"""Re-engagement job: every few minutes, the suggestions due now are claimed (one per person
and week), mailed with a one-click unsubscribe (RFC 8058), and marked sent or failed."""

import asyncio
import html
import logging

from resonance.common.service import Runtime
from resonance.metrics.mail import smtp
from resonance.metrics.service import reengagement
from resonance.metrics.service.reengagement import Suggestion
from resonance.metrics.settings import MetricsSettings
from resonance.metrics.store.settings import tenants_known

log = logging.getLogger(__name__)


async def run_reengagement(runtime: Runtime[MetricsSettings]) -> None:
    if not runtime.settings.run_jobs:
        return
    while True:
        try:
            await send_due_suggestions(runtime)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("re-engagement round failed; retrying")
        await asyncio.sleep(runtime.settings.reengagement_interval_s)


async def send_due_suggestions(runtime: Runtime[MetricsSettings]) -> int:
    """Sends what is due now; returns how many suggestions went out."""
    async with runtime.unit_of_work() as uow:
        tenants = await tenants_known(uow.session)
    sent = 0
    for tenant in tenants:
        async with runtime.unit_of_work() as uow:
            suggestions = await reengagement.due(uow, tenant)
        for suggestion in suggestions:
            async with runtime.unit_of_work() as uow:
                if not await reengagement.claim(uow, suggestion):
                    continue  # already suggested this week (another round or replica)
            ok = await _send(runtime.settings, suggestion)
            async with runtime.unit_of_work() as uow:
                await reengagement.mark(uow, suggestion, ok)
            sent += ok
    return sent


def unsubscribe_url(settings: MetricsSettings, token: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/v1/unsubscribe/{token}"


def suggestion_mail(settings: MetricsSettings, suggestion: Suggestion) -> smtp.Mail:
    url = unsubscribe_url(settings, suggestion.unsubscribe_token)
    lines = "".join(f"<li>{html.escape(title)}</li>" for _, title in suggestion.items)
    return smtp.Mail(
        to=[suggestion.email],
        subject="Ideas to share this week",
        text="Your colleagues are sharing these lately:\n"
        + "".join(f"- {title}\n" for _, title in suggestion.items)
        + f"\nNo more suggestions: {url}\n",
        html=(
            "<p>Your colleagues are sharing these lately:</p>"
            f"<ul>{lines}</ul>"
            f'<p><a href="{html.escape(url)}">No more suggestions</a></p>'
        ),
        headers={
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


async def _send(settings: MetricsSettings, suggestion: Suggestion) -> bool:
    try:
        await smtp.send(settings, suggestion_mail(settings, suggestion))
    except Exception as exc:  # recorded as failed; the week's key keeps it from repeating
        log.warning("suggestion %s not sent: %s", suggestion.key, type(exc).__name__)
        return False
    return True
