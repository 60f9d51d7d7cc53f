"""Text accepted from callers."""

# PostgreSQL text cannot hold NUL: such input is refused with a 422 rather than failing in the
# database with a 500.
NO_NUL = r"^[^\x00]*$"
