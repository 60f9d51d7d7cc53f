"""The social-network sandbox: LinkedIn, X and Mastodon on loopback, one FastAPI app, one port.

Connectors are the production code pointed at the sandbox's base URLs instead of the real hosts.
Each network lives under a path prefix and keeps the real paths below it:

| network  | real host(s)                                   | sandbox base URL           |
|----------|------------------------------------------------|----------------------------|
| LinkedIn | https://www.linkedin.com, https://api.linkedin.com | http://127.0.0.1:PORT/linkedin |
| X        | https://x.com, https://api.x.com               | http://127.0.0.1:PORT/x        |
| Mastodon | https://<instance>                             | http://127.0.0.1:PORT/mastodon |

So `https://api.x.com/2/tweets` is `http://127.0.0.1:PORT/x/2/tweets`, and LinkedIn's
`https://www.linkedin.com/oauth/v2/accessToken` is `.../linkedin/oauth/v2/accessToken`
(the OAuth host and the API host share the prefix: their paths do not collide).

Routes (the real paths, below the prefix):

- LinkedIn: GET|POST /oauth/v2/authorization, POST /oauth/v2/accessToken, POST /oauth/v2/revoke,
  GET /oauth/.well-known/openid-configuration, GET /oauth/openid/jwks, GET /v2/userinfo,
  GET /v2/me (403, as for a self-serve app), GET /rest/memberFollowersCount?q=me,
  POST /rest/posts, GET /rest/posts?q=author&author=, GET /rest/posts/{urn},
  GET /rest/memberCreatorPostAnalytics?q=entity|me.
- X: GET|POST /i/oauth2/authorize, POST /2/oauth2/token, POST /2/oauth2/revoke,
  GET /2/users/me, POST /2/tweets, GET /2/tweets?ids=, GET /2/tweets/{id},
  GET /2/users/{id}/tweets.
- Mastodon: POST /api/v1/apps, GET|POST /oauth/authorize, POST /oauth/token, POST /oauth/revoke,
  GET /api/v2/instance, GET /api/v1/accounts/verify_credentials, GET /api/v1/accounts/{id},
  POST /api/v1/statuses, GET /api/v1/statuses/{id}, GET /api/v1/accounts/{id}/statuses.
- Control (sandbox only, JSON): /_control/... (control.py), GET / (index), GET /healthz.

Run it with `python -m resonance.devstack.sandbox --port N` or
`uvicorn --factory resonance.devstack.sandbox:app_from_env`.
"""

from resonance.devstack.sandbox.app import app_from_env, create_sandbox_app

__all__ = ["app_from_env", "create_sandbox_app"]
