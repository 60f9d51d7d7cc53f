"""LinkedIn member analytics: `/rest/memberFollowersCount` and
`/rest/memberCreatorPostAnalytics` (TOTAL or DAILY, per post or over all the member's posts).

The element shape is [U] in social-networks.md: each element carries `count`, a `metricType`
rendered as a Rest.li union, and `targetEntity` or `dateRange`. Values come from analytics.py.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from resonance.devstack.sandbox import errors
from resonance.devstack.sandbox.analytics import PostMetrics, metrics
from resonance.devstack.sandbox.errors import linkedin_error
from resonance.devstack.sandbox.linkedin import needs, paging, rest_headers
from resonance.devstack.sandbox.pipeline import Caller, sandbox_state, serve
from resonance.devstack.sandbox.state import Post, SandboxState

router = APIRouter(prefix="/linkedin", tags=["linkedin"])

# Rest.li renders enum unions as {"<fully qualified type>": value} [U].
METRIC_TYPE_KEY = "com.linkedin.adsexternalapi.memberanalytics.v1.CreatorPostAnalyticsMetricTypeV1"
QUERY_TYPES = ("IMPRESSION", "MEMBERS_REACHED", "RESHARE", "REACTION", "COMMENT", "POST_SAVE")
MAX_DAYS = 366
_URN = re.compile(r"^urn:li:(share|ugcPost):[0-9]{1,20}$")
_ENTITY = re.compile(r"^\((share|ugc):(.+)\)$")
_DATE_RANGE = re.compile(
    r"^\(start:\(day:(\d{1,2}),month:(\d{1,2}),year:(\d{4})\)"
    r"(?:,end:\(day:(\d{1,2}),month:(\d{1,2}),year:(\d{4})\))?\)$"
)


@router.get("/rest/memberFollowersCount")
async def followers_count(request: Request) -> Response:
    def handle(caller: Caller) -> Response:
        if refused := rest_headers(request):
            return refused
        if refused := needs(caller, "r_member_profileAnalytics", "memberFollowersCount.FINDER-me"):
            return refused
        if request.query_params.get("q") != "me":
            return linkedin_error(400, "Only q=me is supported by the sandbox")
        return JSONResponse(
            {"paging": paging(0, 1), "elements": [{"memberFollowersCount": caller.user.followers}]}
        )

    return await serve(request, "linkedin", "followers", handle)


def _metric(m: PostMetrics, query_type: str) -> int:
    return {
        "IMPRESSION": m.impressions,
        "MEMBERS_REACHED": m.reached,
        "RESHARE": m.reshares,
        "REACTION": m.reactions,
        "COMMENT": m.comments,
        "POST_SAVE": m.bookmarks,
    }[query_type]


def _value_at(state: SandboxState, posts: list[Post], query_type: str, at: float) -> int:
    net = state.config.networks["linkedin"]
    total = 0
    for post in posts:
        if post.created_at > at:
            continue
        author = state.account("linkedin", post.account_id)
        followers = author.followers if author else 0
        total += _metric(
            metrics(followers, at - post.created_at, net.reach_percent, net.saturation_s),
            query_type,
        )
    return total


def _day_start(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def _ymd(day: date) -> dict[str, int]:
    return {"year": day.year, "month": day.month, "day": day.day}


def _days(raw: str | None, first: float, now: float) -> list[date] | None:
    """Days to report: dateRange (end exclusive) or from the first post to today."""
    today = datetime.fromtimestamp(now, UTC).date()
    if raw:
        match = _DATE_RANGE.match(raw)
        if match is None:
            return None
        d, m, y, d2, m2, y2 = match.groups()
        try:
            start = date(int(y), int(m), int(d))
            end = date(int(y2), int(m2), int(d2)) if y2 else today + timedelta(days=1)
        except ValueError:
            return None
    else:
        start = datetime.fromtimestamp(first, UTC).date()
        end = today + timedelta(days=1)
    count = (end - start).days
    if count < 0 or count > MAX_DAYS:
        return None
    return [start + timedelta(days=i) for i in range(count)]


def _entity(raw: str) -> str | None:
    match = _ENTITY.match(raw)
    urn = unquote(match.group(2)) if match else unquote(raw)
    return urn if _URN.match(urn) else None


@router.get("/rest/memberCreatorPostAnalytics")
async def member_post_analytics(request: Request) -> Response:
    query = request.query_params

    def handle(caller: Caller) -> Response:
        state = sandbox_state(request)
        if refused := rest_headers(request):
            return refused
        if refused := needs(caller, "r_member_postAnalytics", "memberCreatorPostAnalytics.FINDER"):
            return refused
        finder, query_type = query.get("q"), query.get("queryType", "")
        aggregation = query.get("aggregation", "TOTAL")
        if query_type not in QUERY_TYPES or aggregation not in ("TOTAL", "DAILY"):
            return linkedin_error(
                400,
                "queryType must be one of "
                + ", ".join(QUERY_TYPES)
                + "; aggregation TOTAL or DAILY",
            )
        if query_type == "MEMBERS_REACHED" and aggregation == "DAILY":
            return linkedin_error(400, "MEMBERS_REACHED is not available with DAILY aggregation")
        target: dict[str, str] | None = None
        if finder == "entity":
            urn = _entity(query.get("entity", ""))
            if urn is None:
                return linkedin_error(400, "entity must be (share:<urn>) or (ugc:<urn>)")
            post = state.post("linkedin", urn)
            if post is None:
                return errors.not_found("linkedin", urn)
            if post.account_id != caller.user.id:
                return errors.forbidden("linkedin", "memberCreatorPostAnalytics.FINDER-entity")
            posts = [post]
            target = {"share" if ":share:" in urn else "ugcPost": urn}
        elif finder == "me":
            posts = state.posts_of("linkedin", caller.user.id)
        else:
            return linkedin_error(400, "q must be entity or me")
        now = state.now()
        metric_type = {METRIC_TYPE_KEY: query_type}
        if aggregation == "TOTAL":
            element: dict[str, Any] = {
                "count": _value_at(state, posts, query_type, now),
                "metricType": metric_type,
            }
            if target:
                element["targetEntity"] = target
            return JSONResponse({"paging": paging(0, 10), "elements": [element]})
        first = min((p.created_at for p in posts), default=now)
        days = _days(query.get("dateRange"), first, now)
        if days is None:
            return linkedin_error(
                400,
                f"dateRange must be (start:(day:D,month:M,year:Y),end:(...)) "
                f"covering at most {MAX_DAYS} days",
            )
        elements = []
        for day in days:
            begin, end = _day_start(day), _day_start(day + timedelta(days=1))
            gained = _value_at(state, posts, query_type, min(end, now)) - _value_at(
                state, posts, query_type, min(begin, now)
            )
            item: dict[str, Any] = {
                "count": gained,
                "metricType": metric_type,
                "dateRange": {"start": _ymd(day), "end": _ymd(day + timedelta(days=1))},
            }
            if target:
                item["targetEntity"] = target
            elements.append(item)
        return JSONResponse({"paging": paging(0, len(elements)), "elements": elements})

    return await serve(request, "linkedin", "metrics", handle)
