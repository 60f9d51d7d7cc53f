"""The authorization endpoint of every network: show the consent form, then redirect back.

GET validates the request and renders the form; POST (the form, or a script posting the same
fields) re-validates everything, since hidden fields come back from the browser, then issues a
code. LinkedIn skips the form when the member already granted these scopes to this app, as the
real one does; a cookie stands for LinkedIn's signed-in session.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from resonance.devstack.sandbox import pages
from resonance.devstack.sandbox.config import Network
from resonance.devstack.sandbox.oauth import (
    OOB,
    AuthorizeProblem,
    AuthorizeRequest,
    already_granted,
    issue_code,
    validate_authorize,
    with_params,
)
from resonance.devstack.sandbox.pipeline import Caller, sandbox_state, serve
from resonance.devstack.sandbox.state import Account, SandboxState

MAX_FIELDS = 32
MAX_VALUE = 2_048
USERNAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_DENIED = {
    "linkedin": "user_cancelled_authorize",
    "x": "access_denied",
    "mastodon": "access_denied",
}


def session_cookie(network: Network) -> str:
    return f"resonance_sandbox_{network}_member"


def _bounded(items: Mapping[str, object]) -> dict[str, str] | None:
    if len(items) > MAX_FIELDS:
        return None
    values = {k: str(v) for k, v in items.items()}
    return None if any(len(v) > MAX_VALUE for v in values.values()) else values


def _problem(network: Network, problem: AuthorizeProblem) -> Response:
    if not problem.redirect:
        return HTMLResponse(pages.error(network, problem.error, problem.description), 400)
    target = with_params(
        problem.uri,
        {"error": problem.error, "error_description": problem.description, "state": problem.state},
    )
    return RedirectResponse(target, status_code=302)


def _approve(state: SandboxState, req: AuthorizeRequest, account: Account) -> Response:
    code = issue_code(state, req, account)
    if req.redirect_uri == OOB:
        response: Response = HTMLResponse(pages.out_of_band(req.network, code))
    else:
        response = RedirectResponse(
            with_params(req.redirect_uri, {"code": code, "state": req.state}), status_code=302
        )
    response.headers["Cache-Control"] = "no-store"
    return response


def _form(
    state: SandboxState, req: AuthorizeRequest, action: str, username: str, error: str | None
) -> HTMLResponse:
    known = sorted({a.username for (net, _), a in state.accounts.items() if net == req.network})
    html = pages.consent(
        req.network, req.client.name, req.scopes, req.params, action, username, known[:200], error
    )
    return HTMLResponse(html, status_code=400 if error else 200)


async def show(request: Request, network: Network) -> Response:
    params = _bounded(dict(request.query_params))

    def handle(caller: Caller) -> Response:
        state = sandbox_state(request)
        if params is None:
            return HTMLResponse(pages.error(network, "invalid_request", "request too large"), 400)
        try:
            req = validate_authorize(state, network, params)
        except AuthorizeProblem as problem:
            return _problem(network, problem)
        if state.config.networks[network].policy.skip_consent_when_granted:
            remembered = request.cookies.get(session_cookie(network), "")
            account = state.account_by_username(network, remembered) if remembered else None
            if account is not None and already_granted(state, req, account):
                return _approve(state, req, account)
        hint = params.get("login_hint", "")
        username = hint if USERNAME.match(hint) else state.config.default_username
        return _form(state, req, request.url.path, username, None)

    return await serve(request, network, "authorize", handle, auth="none", limited=False)


async def decide(request: Request, network: Network) -> Response:
    form = await request.form(max_files=0, max_fields=MAX_FIELDS)
    params = _bounded(dict(form))

    def handle(caller: Caller) -> Response:
        state = sandbox_state(request)
        if params is None:
            return HTMLResponse(pages.error(network, "invalid_request", "request too large"), 400)
        decision = params.pop("decision", "")
        username = params.pop("username", "").strip()
        try:
            req = validate_authorize(state, network, params)
        except AuthorizeProblem as problem:
            return _problem(network, problem)
        if decision != "allow":
            return _problem(
                network,
                AuthorizeProblem(
                    _DENIED[network],
                    "The user cancelled the authorization",
                    redirect=True,
                    uri=req.redirect_uri,
                    state=req.state,
                ),
            )
        if not USERNAME.match(username):
            return _form(
                state,
                req,
                request.url.path,
                state.config.default_username,
                "Use 1 to 64 letters, digits, dots, dashes or underscores.",
            )
        try:
            account = state.upsert_account(network, username)
        except OverflowError:
            return HTMLResponse(pages.error(network, "server_error", "too many accounts"), 503)
        response = _approve(state, req, account)
        if state.config.networks[network].policy.skip_consent_when_granted:
            response.set_cookie(session_cookie(network), username, httponly=True, samesite="lax")
        return response

    return await serve(request, network, "authorize", handle, auth="none", limited=False)
