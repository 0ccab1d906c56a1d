"""Posting JSON to a webhook (a chat tool's incoming webhook): one attempt, its failure in words."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

import orjson

TIMEOUT_SECONDS = 10
"""How long one delivery waits for the webhook's server."""


class DeliveryFailed(Exception):
    """The webhook did not take the message: why, in words."""


def post_json(url: str, payload: dict[str, Any]) -> None:
    """POST ``payload`` as JSON to ``url``; :class:`DeliveryFailed` unless it answers 2xx."""
    request = urllib.request.Request(
        url, data=orjson.dumps(payload), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            response.read()
    except urllib.error.HTTPError as error:
        raise DeliveryFailed(f"{url} answered {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        raise DeliveryFailed(f"{url}: {getattr(error, 'reason', error)}") from None
