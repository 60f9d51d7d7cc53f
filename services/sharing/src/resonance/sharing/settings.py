"""Settings of the sharing service (env prefix RESONANCE_SHARING_).

Every network's URLs are settings, so production points the connectors at the real hosts and
the local stack and the tests at the social sandbox (one port, a path prefix per network:
`http://127.0.0.1:PORT/linkedin`, `/x`, `/mastodon`). Client secrets come from the
environment of the deployment, never from the repository.
"""

from typing import Annotated

from pydantic import Field

from resonance.common.settings import ServiceSettings, service_config


class SharingSettings(ServiceSettings):
    model_config = service_config("sharing")

    service_name: str = "sharing"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/resonance_sharing"

    # --- OAuth redirects -----------------------------------------------------------------
    # Public base URL of this service as the browser reaches it; the callback is
    # `{redirect_uri_base}/v1/connections/{network}/callback`.
    redirect_uri_base: str = "http://127.0.0.1:8003"
    # Where the browser lands after the callback (the app's "connections" page); empty: the
    # callback answers JSON instead of redirecting.
    connected_redirect_url: str = ""
    oauth_state_ttl_s: int = 600

    # --- LinkedIn --------------------------------------------------------------------------
    linkedin_auth_url: str = "https://www.linkedin.com"  # /oauth/v2/authorization
    # /oauth/v2/accessToken, /revoke
    linkedin_token_url: str = "https://www.linkedin.com"  # noqa: S105 (a URL)
    linkedin_api_url: str = "https://api.linkedin.com"  # /v2/userinfo, /rest/posts ...
    linkedin_client_id: str = ""
    linkedin_client_secret: str = ""
    linkedin_scopes: str = "openid profile email w_member_social"
    linkedin_version: str = "202601"  # LinkedIn-Version header (YYYYMM)

    # --- X -----------------------------------------------------------------------------------
    x_auth_url: str = "https://x.com"  # /i/oauth2/authorize
    # /2/oauth2/token, /2/oauth2/revoke
    x_token_url: str = "https://api.x.com"  # noqa: S105 (a URL)
    x_api_url: str = "https://api.x.com"  # /2/users/me, /2/tweets ...
    x_client_id: str = ""
    x_client_secret: str = ""  # empty: a public client (PKCE alone authenticates it)
    x_scopes: str = "tweet.read tweet.write users.read offline.access"

    # --- Mastodon (one instance per deployment) -------------------------------------------
    mastodon_auth_url: str = "https://mastodon.social"  # /oauth/authorize
    # /oauth/token, /oauth/revoke
    mastodon_token_url: str = "https://mastodon.social"  # noqa: S105 (a URL)
    mastodon_api_url: str = "https://mastodon.social"  # /api/v1/...
    mastodon_client_id: str = ""
    mastodon_client_secret: str = ""
    mastodon_scopes: str = "read write"

    # --- HTTP to the networks ------------------------------------------------------------
    network_timeout_s: float = 10.0
    network_max_connections: int = 100

    # --- Connections -----------------------------------------------------------------------
    # X access tokens last 2 hours: refresh when less than this is left.
    refresh_ahead_s: int = 600
    # Days before a non-refreshable connection (LinkedIn) expires at which to announce it.
    expiry_warning_days: list[int] = Field(default_factory=lambda: [7, 1])
    expiry_check_interval_s: float = 3600.0

    # --- Posting worker (python -m resonance.sharing.worker) ----------------------------------
    # Consumer group (after consumer_group_prefix) of the posting workers on `share.request`.
    worker_group: str = "sharing-worker"
    # Shares posted at once by one worker process.
    worker_concurrency: int = 32
    worker_max_attempts: int = 6
    worker_backoff_base_s: float = 1.0
    worker_backoff_max_s: float = 900.0
    # An attempt started longer ago than this and never finished is "in doubt" (its worker
    # died mid-call): reconcile with the network before posting again. Must exceed the
    # network timeout, so a live worker's call is never taken for a dead one.
    worker_in_doubt_after_s: float = 60.0
    # A scheduled share handed to the workers this long ago and still not started is handed
    # out again (a lost or long-delayed request; duplicates are harmless).
    worker_requeue_after_s: float = 300.0
    # Reconciliation: a post takes a moment to be listed; "not posted" is trusted after this.
    reconcile_settle_s: float = 60.0
    # Networks' clocks differ from ours: posts this much older than the attempt still match.
    reconcile_clock_skew_s: float = 120.0
    # Give up reconciling (share failed as "unresolved") after this long.
    reconcile_give_up_s: float = 86_400.0
    # Scheduler: how often due shares are turned into share.requested events.
    scheduler_interval_s: float = 0.5
    scheduler_batch_size: int = 500
    # How often shares handed out and never finished are looked for.
    scheduler_sweep_interval_s: float = 5.0
    # Run the scheduler loop in the worker process (several workers share it safely).
    run_scheduler: bool = True
    # Health endpoints of the worker process (/healthz, /readyz) for the orchestrator.
    worker_host: str = "127.0.0.1"
    worker_port: int = 8013

    # --- Tracked links, clicks (sharing-B) ----------------------------------------------
    # The public base of short links: a share's text carries f"{link_base_url}/{code}".
    link_base_url: str = "http://127.0.0.1:8003/l"
    # One click per visitor per this window (seconds; must divide a day: domain/links.py).
    click_window_s: int = 3600
    # The redirect never writes: clicks wait in an in-process queue drained in batches.
    click_queue_max: int = 10_000
    click_batch_max: int = 500
    click_flush_interval_s: float = 0.2
    link_cache_size: int = 50_000
    # --- Reach (sharing-B) ----------------------------------------------------------------
    reach_poll_interval_s: float = 30.0
    # When each post's metrics are read, in seconds after it went live (1 h, 6 h, 1 d, 3 d,
    # 7 d, 30 d); the local stack reads the first after a minute so a demo sees reach arrive.
    reach_poll_offsets_s: Annotated[
        list[Annotated[float, Field(gt=0, le=366 * 86_400)]], Field(min_length=1, max_length=20)
    ] = [3_600, 21_600, 86_400, 259_200, 604_800, 2_592_000]
    reach_batch_size: int = 200
    # --- Shares, auto-share (sharing-B) -----------------------------------------------------
    # A manual share may be scheduled at most this far ahead.
    max_schedule_ahead_days: int = 60
    # Auto-share spreads a campaign without an end over this many days.
    autoshare_window_days: int = 7
