"""A sample news site for the local stack and tests: an Atom feed and article pages with
OpenGraph tags. `make run` serves `app` on loopback; point a source at `<url>/feed.atom`.

The feed deliberately repeats itself the way real feeds do: one entry appears twice with the
same GUID, and another entry has a new GUID but links to an article already listed (with
tracking parameters added), so deduplication by GUID and by canonical URL both show.
"""

from html import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

ARTICLES: dict[str, tuple[str, str]] = {
    "iot-trends": (
        "Five trends in industrial IoT",
        "Sensors, edge computing and predictive maintenance reshape the factory floor.",
    ),
    "green-logistics": (
        "Green logistics: what changes in 2027",
        "New rules on emissions push carriers towards electric fleets.",
    ),
    "ai-in-hr": (
        "AI in human resources, beyond the hype",
        "Where machine learning helps recruiters, and where it does not.",
    ),
}


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _entry(base: str, guid: str, slug: str, link_suffix: str = "") -> str:
    title, summary = ARTICLES[slug]
    return (
        "<entry>"
        f"<id>{escape(guid)}</id>"
        f"<title>{escape(title)}</title>"
        f'<link rel="alternate" href="{escape(base)}/articles/{slug}{escape(link_suffix)}"/>'
        "<updated>2026-11-20T08:00:00Z</updated>"
        f'<summary type="html">{escape("<p>" + summary + "</p>")}</summary>'
        "</entry>"
    )


async def feed(request: Request) -> Response:
    base = _base(request)
    body = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">'
        "<title>Sample industry news</title>"
        f"<id>{base}/feed.atom</id>"
        "<updated>2026-11-20T08:00:00Z</updated>"
        + _entry(base, "urn:sample:iot-trends", "iot-trends")
        + _entry(base, "urn:sample:green-logistics", "green-logistics")
        + _entry(base, "urn:sample:iot-trends", "iot-trends")  # same GUID again
        + _entry(base, "urn:sample:ai-in-hr", "ai-in-hr")
        # New GUID, same article behind a tracking link: caught by the canonical URL.
        + _entry(base, "urn:sample:ai-in-hr-repost", "ai-in-hr", "?utm_source=feed")
        + "</feed>"
    )
    return Response(body, media_type="application/atom+xml")


async def article(request: Request) -> Response:
    slug = request.path_params["slug"]
    if slug not in ARTICLES:
        return HTMLResponse("<h1>Not found</h1>", status_code=404)
    title, summary = ARTICLES[slug]
    base = _base(request)
    return HTMLResponse(
        "<!doctype html><html><head>"
        f"<title>{escape(title)} | Sample news</title>"
        f'<meta property="og:title" content="{escape(title)}">'
        f'<meta property="og:description" content="{escape(summary)}">'
        f'<meta property="og:image" content="/images/{slug}.png">'
        f'<meta property="og:url" content="{base}/articles/{slug}">'
        '<meta property="og:site_name" content="Sample news">'
        f'<link rel="canonical" href="{base}/articles/{slug}">'
        f"</head><body><h1>{escape(title)}</h1><p>{escape(summary)}</p></body></html>"
    )


app = Starlette(
    routes=[
        Route("/feed.atom", feed),
        Route("/articles/{slug}", article),
    ]
)
