"""The delivery engine: one claim/lease/retry mechanism for every kind of background work."""
