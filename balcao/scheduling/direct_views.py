"""Pages of the direct part of scheduling (issue 25); being written."""

from __future__ import annotations

console_urls: list = []
portal_urls: list = []
