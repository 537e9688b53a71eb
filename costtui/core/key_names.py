"""Names of the API-key view: its dimension and what the header and exports say about it.

Kept apart from key_allocation so the cost view can name them without importing the token join.
"""

KEY_DIMENSION = "api_key"
"""The dimension name of the API-key view (`--group-by api_key`)."""
KEY_DIMENSION_LABEL = "API key"
ALLOCATED_NOTE = "allocated by tokens"
LOADING_KEYS = "(loading API keys…)"
COMPUTING_KEYS = "(allocating to API keys…)"
NO_USAGE_KEYS = "(usage unavailable)"
"""What the header and exports say about cost per API key."""
