# One real PostgreSQL, Kafka and OIDC provider for the whole test session (see testing.py).
pytest_plugins = ["resonance.devstack.testing"]
