"""One JSON log line per decision; the signed ResponseURL never reaches a log.

Every line carries ``request_type``, ``request_id``, ``logical_resource_id``,
``physical_resource_id``, ``job_name``, ``action`` and ``outcome`` (plus optional details), empty
strings where the event does not say. Lines are scrubbed of the ResponseURL, its query string
and the Lambda's AWS credentials, whatever produced them.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import traceback
import urllib.parse
from collections.abc import Mapping

__all__ = ["LOGGER", "DecisionLog", "configure", "redacted", "secrets_of"]

LOGGER = logging.getLogger("infrec_cdk.handler")
REDACTED = "<redacted>"
_SENSITIVE = re.compile(r"signature|credential|token", re.IGNORECASE)
# Lambda puts the function's temporary credentials in these variables.
_CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
# Shorter values are no real credential; scrubbing them would only garble the lines.
_MIN_SECRET = 8


def configure(environ: Mapping[str, str] = os.environ) -> None:
    """Set the handler's log level from ``LOG_LEVEL`` (default INFO)."""
    name = environ.get("LOG_LEVEL", "INFO").strip().upper()
    level = logging.getLevelName(name)
    LOGGER.setLevel(level if isinstance(level, int) else logging.INFO)


def secrets_of(response_url: str, environ: Mapping[str, str] = os.environ) -> tuple[str, ...]:
    """Return what no log may show: the parts of ``response_url`` and the AWS credentials.

    The URL, its query, each signature, credential or token in it (raw and decoded), and the
    values of ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY`` and ``AWS_SESSION_TOKEN``.
    """
    parts = [value for name in _CREDENTIALS if len(value := environ.get(name, "")) >= _MIN_SECRET]
    if response_url:
        query = urllib.parse.urlsplit(response_url).query
        parts += [response_url, query]
        for key, value in urllib.parse.parse_qsl(query, keep_blank_values=False):
            if _SENSITIVE.search(key):
                parts += [value, urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value)]
    # Longest first, so that a part never leaves a piece of a longer one behind.
    return tuple(sorted({part for part in parts if part}, key=len, reverse=True))


def redacted(event: Mapping[str, object]) -> dict[str, object]:
    """Return a copy of ``event`` with ``ResponseURL`` replaced."""
    copy = dict(event)
    if "ResponseURL" in copy:
        copy["ResponseURL"] = REDACTED
    return copy


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class DecisionLog:
    """Writes the decisions about one event, each as one JSON line."""

    request_type: str
    request_id: str
    logical_resource_id: str
    physical_resource_id: str
    job_name: str = ""
    secrets: tuple[str, ...] = ()

    def bind(
        self, *, physical_resource_id: str | None = None, job_name: str | None = None
    ) -> DecisionLog:
        """Return a log for the same event with the given ids."""
        return dataclasses.replace(
            self,
            physical_resource_id=self.physical_resource_id
            if physical_resource_id is None
            else physical_resource_id,
            job_name=self.job_name if job_name is None else job_name,
        )

    def scrub(self, text: str) -> str:
        """Return ``text`` without the signed URL or its signature."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def decision(
        self, action: str, outcome: str, *, level: int = logging.INFO, **details: object
    ) -> None:
        """Log one decision: what was done (``action``) and what came of it (``outcome``)."""
        if not LOGGER.isEnabledFor(level):
            return
        line = {
            "request_type": self.request_type,
            "request_id": self.request_id,
            "logical_resource_id": self.logical_resource_id,
            "physical_resource_id": self.physical_resource_id,
            "job_name": self.job_name,
            "action": action,
            "outcome": outcome,
            **details,
        }
        LOGGER.log(level, "%s", self.scrub(json.dumps(line, default=str, sort_keys=False)))

    def exception(self, action: str, error: BaseException) -> None:
        """Log an unexpected error of ``action`` with its traceback, on one scrubbed line."""
        self.decision(
            action,
            "error",
            level=logging.ERROR,
            error=f"{type(error).__name__}: {error}",
            traceback="".join(traceback.format_exception(error)),
        )
