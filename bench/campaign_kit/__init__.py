"""The campaign-day driver shared by `bench/campaign.py` (full size, by hand) and
`tests/chaos/` (a small campaign with faults, in `make test`).

- `stack`: a dedicated PostgreSQL, Kafka, OIDC provider and social sandbox, and every service
  as its own process (as `make run` starts them), which can be killed and restarted;
- `people`: ambassadors provisioned through SCIM, enrolled, connected and opted in;
- `campaign`: a campaign launched through the content API, manual shares, and the checks
  against the sandbox's ground truth and the metrics API;
- `probes`: consumer lag, CPU per process and the raw limits of the same run.
"""
