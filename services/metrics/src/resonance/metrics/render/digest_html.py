"""The monthly digest as HTML (Jinja2, autoescaped) and as JSON.

Two HTML flavours from one template: `inline` puts each chart's SVG in the page (the API's
copy, read in a browser); `email` points <img> tags at PNG parts of the message (cid:), since
mail clients strip SVG.
"""

from typing import Any, Literal

from jinja2 import Environment, select_autoescape

from resonance.metrics.domain.digest import DigestContent
from resonance.metrics.render.charts import Chart

LABELS = {
    "shares": "Shares",
    "clicks": "Clicks",
    "impressions": "Measured impressions",
    "sharers": "People who shared",
    "enrolled": "Enrolled",
    "new_enrolments": "New enrolments",
    "approved_submissions": "Approved submissions",
}

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
 body { font-family: -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1f2937;
        max-width: 720px; margin: 24px auto; padding: 0 16px; }
 h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
 table { border-collapse: collapse; width: 100%; }
 td, th { padding: 6px 8px; border-bottom: 1px solid #e5e7eb; text-align: left; }
 td.n { text-align: right; font-variant-numeric: tabular-nums; }
 .up { color: #047857; } .down { color: #b91c1c; }
 figure { margin: 12px 0; } svg.chart, img.chart { width: 100%; height: auto; }
 .muted { color: #6b7280; font-size: 13px; }
</style>
</head>
<body>
<h1>{{ title }}</h1>
<p class="muted">{{ period }} compared with {{ previous }} ({{ timezone }}).</p>
<h2>Progress</h2>
<table>
<tr><th></th><th>{{ period }}</th><th>{{ previous }}</th><th>change</th></tr>
{% for row in figures %}
<tr><td>{{ row.label }}</td><td class="n">{{ row.current }}</td><td class="n">{{ row.previous }}</td>
<td class="n {{ row.css }}">{{ row.change }}</td></tr>
{% endfor %}
<tr><td>Participation</td><td class="n">{{ participation }}</td>
<td class="n">{{ previous_participation }}</td><td></td></tr>
</table>
{% for chart in charts %}
<h2>{{ chart.title }}</h2>
<figure>
{% if mode == "inline" %}{{ chart.svg | safe }}{% else %}<img class="chart" src="cid:{{ chart.name }}" alt="{{ chart.title }}">{% endif %}
</figure>
{% endfor %}
<h2>Most shared items</h2>
{% if items %}<table>{% for item in items %}
<tr><td>{{ item.title }}</td><td class="n">{{ item.shares }}</td></tr>{% endfor %}
</table>{% else %}<p class="muted">Nothing was shared this month.</p>{% endif %}
<h2>Most active people</h2>
{% if people %}<table>{% for person in people %}
<tr><td>{{ person.display_name }}</td><td class="n">{{ person.contributions }}</td></tr>{% endfor %}
</table>{% else %}<p class="muted">Nobody to list (people who hide from boards are never listed).</p>{% endif %}
</body>
</html>
"""

_env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_template = _env.from_string(_TEMPLATE)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f} %"


def _change(relative: float | None, delta: float) -> tuple[str, str]:
    if relative is None:
        return ("new" if delta > 0 else "-"), "up" if delta > 0 else ""
    return f"{relative * 100:+.0f} %", "up" if relative > 0 else "down" if relative < 0 else ""


def title_of(content: DigestContent, programme_name: str | None = None) -> str:
    scope = programme_name or content.programme_id
    where = f" — programme {scope}" if scope else ""
    return f"Advocacy digest {content.period.label}{where}"


def render_html(
    content: DigestContent, charts: list[Chart], mode: Literal["inline", "email"]
) -> str:
    figures = []
    for name, change in content.figures:
        text, css = _change(change.relative, change.delta)
        figures.append(
            {
                "label": LABELS.get(name, name),
                "current": f"{int(change.current):,}",
                "previous": f"{int(change.previous):,}",
                "change": text,
                "css": css,
            }
        )
    return _template.render(
        title=title_of(content),
        period=content.period.label,
        previous=content.previous.label,
        timezone=content.period.timezone,
        figures=figures,
        participation=_percent(content.participation),
        previous_participation=_percent(content.previous_participation),
        charts=charts,
        mode=mode,
        items=content.top_items,
        people=content.top_people,
    )


def digest_json(content: DigestContent) -> dict[str, Any]:
    return {
        "key": content.key,
        "tenant": content.tenant,
        "programme_id": content.programme_id,
        "period": content.period.label,
        "previous": content.previous.label,
        "timezone": content.period.timezone,
        "figures": {
            name: {
                "current": c.current,
                "previous": c.previous,
                "delta": c.delta,
                "relative": c.relative,
            }
            for name, c in content.figures
        },
        "participation": content.participation,
        "previous_participation": content.previous_participation,
        "top_items": [
            {"content_id": i.content_id, "title": i.title, "shares": i.shares}
            for i in content.top_items
        ],
        "top_people": [
            {"ambassador_id": p.ambassador_id, "contributions": p.contributions}
            for p in content.top_people
        ],
    }
