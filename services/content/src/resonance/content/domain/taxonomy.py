"""What a content item can be: families, their categories, formats, networks."""

from typing import Literal

Family = Literal["company", "market", "submission"]
EditorialFamily = Literal["company", "market"]
Format = Literal["link", "image", "video", "text"]

CATEGORIES: dict[str, frozenset[str]] = {
    "company": frozenset(
        {
            "event",
            "job_offer",
            "award",
            "leadership",
            "product_launch",
            "portrait",
            "news",
            "other",
        }
    ),
    "market": frozenset({"industry_news", "white_paper", "analysis", "trend", "other"}),
    "submission": frozenset({"own_post", "curated_link", "other"}),
}


def category_error(family: str, category: str | None) -> str | None:
    """Why `category` does not belong to `family`, or None when it does (or is unset)."""
    if category is None:
        return None
    allowed = CATEGORIES.get(family, frozenset())
    if category in allowed:
        return None
    return f"category {category!r} is not one of {family}: {', '.join(sorted(allowed))}"
