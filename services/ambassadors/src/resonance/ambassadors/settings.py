from resonance.common.settings import ServiceSettings, service_config


class AmbassadorsSettings(ServiceSettings):
    model_config = service_config("ambassadors")

    service_name: str = "ambassadors"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/resonance_ambassadors"
    # A joiner discovers the programme once settled in, not on day one.
    onboarding_delay_s: float = 7 * 24 * 3600
    invitation_poll_interval_s: float = 5.0
    # HR webhook: signatures older than this are refused and remembered this long.
    webhook_replay_window_s: int = 300
    # Personal data of people who left is anonymised this long after they left.
    erase_after_leaving_days: int = 365
    erasure_poll_interval_s: float = 3600.0
    # An enrolled ambassador counts as "active" if they shared within this window.
    active_window_days: int = 30
    scim_max_results: int = 200
