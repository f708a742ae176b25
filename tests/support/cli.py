"""Inputs shared by the CLI tests and the docs tests."""

from __future__ import annotations

#: A rules file with one unknown field (RL201) and one edge_ttl without its default (RS).
BAD_RULES = """\
{
  "phase": "http_request_cache_settings",
  "rules": [
    {
      "ref": "typo",
      "expression": "http.request.uri.pathx eq \\"/x\\"",
      "action": "set_cache_settings",
      "action_parameters": {"cache": true}
    },
    {
      "ref": "bad_mode",
      "expression": "starts_with(http.request.uri.path, \\"/api/\\")",
      "action": "set_cache_settings",
      "action_parameters": {"cache": true, "edge_ttl": {"mode": "override"}}
    }
  ]
}
"""
