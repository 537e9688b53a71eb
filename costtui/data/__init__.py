"""The data layer: the API client, the demo API, the cache, key storage and config."""
