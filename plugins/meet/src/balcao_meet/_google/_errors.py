"""What can go wrong talking to Google, classified for the caller."""

from __future__ import annotations

__all__ = ["GoogleAuthError", "GoogleError"]


class GoogleError(Exception):
    """A Google API call failed. ``retryable`` says whether trying later may work
    (quota, rate limit, a server error); ``status`` and ``reason`` come from the answer."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        reason: str = "",
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after


class GoogleAuthError(GoogleError):
    """The token endpoint refused the service account (``invalid_grant``,
    ``unauthorized_client``): a configuration problem the staff must fix."""
