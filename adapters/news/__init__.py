"""News: feeds fetched with httpx, parsed with feedparser, tagged, cached in news.json."""
