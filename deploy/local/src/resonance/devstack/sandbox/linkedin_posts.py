"""LinkedIn posts (`/rest/posts`): create, find by author, read one.

A created post answers 201 with an empty body and its URN in the `x-restli-id` header. The
same commentary from the same member within a day is refused with 422 naming the original
post, as LinkedIn does. Reading posts back needs `r_member_social`, a restricted permission on
the real API: the sandbox grants it to its demo app, a real self-serve app does not get it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from resonance.devstack.sandbox import errors
from resonance.devstack.sandbox.errors import linkedin_error
from resonance.devstack.sandbox.inputs import read_json
from resonance.devstack.sandbox.linkedin import needs, paging, person_urn, rest_headers
from resonance.devstack.sandbox.pipeline import Caller, sandbox_state, serve
from resonance.devstack.sandbox.state import Post
from resonance.devstack.sandbox.text import linkedin_length

router = APIRouter(prefix="/linkedin", tags=["linkedin"])

VISIBILITIES = ("PUBLIC", "CONNECTIONS", "LOGGED_IN", "CONTAINER")
FEED_DISTRIBUTIONS = ("MAIN_FEED", "NONE")


def _validate_post(body: Any, author: str, max_text: int) -> str | None:
    """None when acceptable, else the Rest.li-style message (field :: problem)."""
    if not isinstance(body, dict):
        return "/ :: a JSON object is required"
    if body.get("author") != author:
        return "author"
    commentary = body.get("commentary", "")
    if not isinstance(commentary, str):
        return "/commentary :: must be a string"
    if linkedin_length(commentary) > max_text:
        return f"/commentary :: length of {linkedin_length(commentary)} is larger than max length {max_text}"
    if not commentary.strip() and not body.get("content"):
        return "/commentary :: field is required when there is no content"
    if body.get("visibility") not in VISIBILITIES:
        return "/visibility :: field is required and must be one of " + "|".join(VISIBILITIES)
    distribution = body.get("distribution")
    if (
        not isinstance(distribution, dict)
        or distribution.get("feedDistribution") not in FEED_DISTRIBUTIONS
    ):
        return "/distribution/feedDistribution :: field is required (MAIN_FEED or NONE)"
    if body.get("lifecycleState") != "PUBLISHED":
        return "/lifecycleState :: must be PUBLISHED (the sandbox keeps no drafts)"
    content = body.get("content")
    if content is not None:
        if not isinstance(content, dict):
            return "/content :: must be an object"
        article = content.get("article")
        if article is not None and (
            not isinstance(article, dict)
            or not isinstance(article.get("source"), str)
            or not isinstance(article.get("title"), str)
        ):
            return "/content/article :: source and title are required (LinkedIn does not scrape)"
    return None


@router.post("/rest/posts")
async def create_post(request: Request) -> Response:
    body = await read_json(request)
    idempotency_key = request.headers.get("idempotency-key")

    def handle(caller: Caller) -> Response:
        state = sandbox_state(request)
        if refused := rest_headers(request):
            return refused
        version = request.headers.get("linkedin-version", "")
        resource = f"partnerApiPostsExternal.CREATE.{version}"
        if refused := needs(caller, "w_member_social", resource):
            return refused
        author = person_urn(caller.user)
        problem = _validate_post(body, author, state.config.networks["linkedin"].max_text)
        if problem == "author":
            return errors.forbidden("linkedin", resource)
        if problem is not None:
            return linkedin_error(422, f"ERROR :: {problem}", code="UNPROCESSABLE_ENTITY")
        assert isinstance(body, dict)
        text: str = body.get("commentary", "")
        duplicate = state.recent_duplicate("linkedin", caller.user.id, text)
        if duplicate is not None:
            state.rejected_duplicates += 1
            return linkedin_error(
                422, f"Content is a duplicate of {duplicate.id}", code="DUPLICATE_POST"
            )
        urn = f"urn:li:share:{state.next_snowflake('linkedin')}"
        extra = {
            k: body[k]
            for k in ("distribution", "content", "isReshareDisabledByAuthor")
            if k in body
        }
        state.add_post(
            Post(
                "linkedin",
                urn,
                caller.user.id,
                caller.user.username,
                text,
                state.now(),
                caller.client_id,
                (idempotency_key or "")[:256] or None,
                visibility=body["visibility"],
                extra=extra,
            )
        )
        return Response(status_code=201, headers={"x-restli-id": urn, "x-linkedin-id": urn})

    return await serve(request, "linkedin", "post", handle)


def post_body(post: Post) -> dict[str, Any]:
    ms = int(post.created_at * 1000)
    body: dict[str, Any] = {
        "id": post.id,
        "author": f"urn:li:person:{post.account_id}",
        "commentary": post.text,
        "visibility": post.visibility,
        "distribution": post.extra.get("distribution", {"feedDistribution": "MAIN_FEED"}),
        "lifecycleState": "PUBLISHED",
        "lifecycleStateInfo": {"isEditedByAuthor": False},
        "isReshareDisabledByAuthor": post.extra.get("isReshareDisabledByAuthor", False),
        "createdAt": ms,
        "publishedAt": ms,
        "lastModifiedAt": ms,
    }
    if "content" in post.extra:
        body["content"] = post.extra["content"]
    return body


@router.get("/rest/posts")
async def find_posts(request: Request) -> Response:
    query = request.query_params

    def handle(caller: Caller) -> Response:
        state = sandbox_state(request)
        if refused := rest_headers(request):
            return refused
        if refused := needs(caller, "r_member_social", "posts.FINDER-author"):
            return refused
        if query.get("q") != "author" or not query.get("author"):
            return linkedin_error(400, "Use q=author&author=<person URN>")
        if unquote(query["author"]) != person_urn(caller.user):
            return errors.forbidden("linkedin", "posts.FINDER-author")
        start, count = query.get("start", "0"), query.get("count", "10")
        if not (start.isdigit() and count.isdigit() and 1 <= int(count) <= 100):
            return linkedin_error(400, "start must be >= 0 and count between 1 and 100")
        posts = state.posts_of("linkedin", caller.user.id)
        page = posts[int(start) : int(start) + int(count)]
        return JSONResponse(
            {
                "paging": paging(int(start), int(count), len(posts)),
                "elements": [post_body(p) for p in page],
            }
        )

    return await serve(request, "linkedin", "list_posts", handle)


@router.get("/rest/posts/{urn:path}")
async def get_post(request: Request, urn: str) -> Response:
    def handle(caller: Caller) -> Response:
        state = sandbox_state(request)
        if refused := rest_headers(request):
            return refused
        if refused := needs(caller, "r_member_social", "posts.GET"):
            return refused
        post = state.post("linkedin", unquote(urn))
        if post is None:
            return errors.not_found("linkedin", "post")
        if post.account_id != caller.user.id:
            return errors.forbidden("linkedin", "posts.GET")
        return JSONResponse(post_body(post))

    return await serve(request, "linkedin", "list_posts", handle)
