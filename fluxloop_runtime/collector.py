"""The optional HTTP collector, off unless `use_collector=True` and a `collector_url` are set.

Speaks the public SDK's protocol: each trace is POSTed to `{collector_url}/api/traces`, each
observation to `{collector_url}/api/traces/{trace_id}/observations`, as JSON, with the API
key as a bearer token. Uses only the standard library; nothing else in the runtime touches the
network.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Sequence

from .config import RuntimeConfig

logger = logging.getLogger("fluxloop_runtime")


class Collector:
    """Sends batches of ready-made JSON lines; a failure is logged once until a send works."""

    def __init__(self) -> None:
        self._failure_logged = False

    def send(self, config: RuntimeConfig, observations: Sequence[str], traces: Sequence[str]) -> bool:
        """POST every line; True when the collector accepted them all (else the caller keeps
        them in the offline store). Never raises."""
        assert config.collector_url is not None
        headers = {"Content-Type": "application/json", "User-Agent": "fluxloop-runtime"}
        if config.api_key:
            headers["Authorization"] = f"Bearer {config.api_key}"
        if config.service_name:
            headers["X-Service-Name"] = config.service_name
        if config.environment:
            headers["X-Environment"] = config.environment
        try:
            for line in traces:
                self._post(f"{config.collector_url}/api/traces", line, headers, config.timeout)
            for line in observations:
                trace_id = json.loads(line)["trace_id"]
                self._post(f"{config.collector_url}/api/traces/{trace_id}/observations", line, headers, config.timeout)
        except (OSError, ValueError, KeyError) as error:  # URLError and HTTPError are OSErrors
            if not self._failure_logged:
                self._failure_logged = True
                logger.warning(
                    "FluxLoop collector %s unreachable (%s); keeping records in the offline store",
                    config.collector_url,
                    error,
                )
            return False
        self._failure_logged = False
        return True

    @staticmethod
    def _post(url: str, line: str, headers: dict[str, str], timeout: float) -> None:
        request = urllib.request.Request(url, data=line.encode("utf-8"), headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()


collector = Collector()

__all__ = ["Collector", "collector"]
