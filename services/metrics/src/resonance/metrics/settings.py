from resonance.common.settings import ServiceSettings, service_config


class MetricsSettings(ServiceSettings):
    model_config = service_config("metrics")

    service_name: str = "metrics"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/resonance_metrics"
    # Tenants that never chose a time zone report in this one (periods, digests, boards).
    default_timezone: str = "UTC"
    # The digest and re-engagement jobs; with several replicas any may run them (unique keys
    # keep them from sending twice), but operations may keep them to one.
    run_jobs: bool = True
    # The fold of queued share.made (service/fold.py): rows per transaction, and how often it
    # looks at an empty queue (what this process queues wakes it at once; what another
    # replica queued waits at most this long, if that replica's own fold has not taken it).
    fold_batch_size: int = 2000
    fold_idle_interval_s: float = 0.5
    # Off when the fold runs in processes of its own (`python -m resonance.metrics.folder`,
    # the chart's metrics-fold Deployment): the consumers then only take share.made in.
    fold_in_consumers: bool = True
    # The fold process's own health server (/healthz, /readyz), for the orchestrator.
    folder_host: str = "127.0.0.1"
    folder_port: int = 8021
    # Monthly digest: how often the job looks for a month whose digest is due.
    digest_check_interval_s: float = 300.0
    # Rolling boards: how often the job looks for a tenant whose local day changed.
    rolling_board_interval_s: float = 60.0
    # Re-engagement: how often the job looks for lapsed ambassadors to nudge.
    reengagement_interval_s: float = 300.0
    # Where e-mail goes (the local stack's SMTP sink by default) and who it comes from.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_timeout_s: float = 10.0
    smtp_use_tls: bool = False
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    mail_from: str = "Resonance <no-reply@resonance.localhost>"
    # Public address of this service, for links in e-mails (one-click unsubscribe).
    public_base_url: str = "http://127.0.0.1:8004"
    # Page sizes of the ledger, boards and lists.
    max_page_size: int = 100
