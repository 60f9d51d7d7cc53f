"""The HTML a browser sees during an OAuth flow: consent form, error page, out-of-band code.

Plain HTML with no script or external asset, so it works offline and scripts can submit the
form directly: POST the same fields to the same path with `decision=allow` and `username`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape

NETWORK_NAMES = {"linkedin": "LinkedIn", "x": "X", "mastodon": "Mastodon"}
_CARRIED = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)

_STYLE = """
body{font-family:system-ui,sans-serif;background:#f3f4f6;margin:0;padding:2rem}
main{max-width:28rem;margin:auto;background:#fff;border-radius:.5rem;padding:1.5rem;
box-shadow:0 1px 3px #0002}
h1{font-size:1.25rem}label{display:block;margin:1rem 0 .25rem}
input[type=text]{width:100%;padding:.5rem;box-sizing:border-box}
button{padding:.5rem 1.25rem;margin:1rem .5rem 0 0}
.note{color:#6b7280;font-size:.85rem}code{background:#eef;padding:0 .25rem}
.error{color:#b91c1c}
"""


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def consent(
    network: str,
    app_name: str,
    scopes: Iterable[str],
    params: Mapping[str, str],
    action: str,
    username: str,
    known_usernames: Iterable[str],
    error: str | None = None,
) -> str:
    name = NETWORK_NAMES.get(network, network)
    hidden = "".join(
        f'<input type=hidden name="{key}" value="{escape(params[key])}">'
        for key in _CARRIED
        if params.get(key)
    )
    options = "".join(f'<option value="{escape(u)}">' for u in known_usernames)
    scope_items = "".join(f"<li><code>{escape(s)}</code></li>" for s in sorted(scopes))
    problem = f"<p class=error role=alert>{escape(error)}</p>" if error else ""
    body = f"""
<h1>Sign in to {escape(name)} <span class=note>(Resonance sandbox)</span></h1>
<p><strong>{escape(app_name)}</strong> would like to:</p>
<ul>{scope_items}</ul>
{problem}
<form method=post action="{escape(action)}">
{hidden}
<label for=username>Sign in as</label>
<input type=text id=username name=username list=accounts value="{escape(username)}"
 required maxlength=64 pattern="[A-Za-z0-9._\\-]+">
<datalist id=accounts>{options}</datalist>
<p class=note>Any name works: an unknown one becomes a new {escape(name)} account.</p>
<button type=submit name=decision value=allow>Allow</button>
<button type=submit name=decision value=deny>Cancel</button>
</form>"""
    return _page(f"{name} sandbox: authorize {app_name}", body)


def error(network: str, error_code: str, description: str) -> str:
    name = NETWORK_NAMES.get(network, network)
    body = (
        f"<h1>{escape(name)} sandbox: this authorization request is invalid</h1>"
        f"<p class=error><code>{escape(error_code)}</code>: {escape(description)}</p>"
        "<p class=note>The app is not sent back: its client_id or redirect_uri cannot be "
        "trusted (RFC 6749 §4.1.2.1).</p>"
    )
    return _page(f"{name} sandbox: error", body)


def out_of_band(network: str, code: str) -> str:
    name = NETWORK_NAMES.get(network, network)
    body = (
        f"<h1>{escape(name)} sandbox: authorization code</h1>"
        "<p>Copy this code into the application:</p>"
        f"<p><code id=code>{escape(code)}</code></p>"
    )
    return _page(f"{name} sandbox: authorization code", body)
