# Adapted (trimmed) from a public user repository (Next.js on Cloud Run):
# v4 blocks, interpolated names, an origin rule set with a conditional expression.

resource "cloudflare_ruleset" "cache_rules" {
  zone_id     = var.zone_id
  name        = "${var.environment}-cache-rules"
  description = "${var.environment} cache rules"
  kind        = "zone"
  phase       = "http_request_cache_settings"

  rules {
    action = "set_cache_settings"
    action_parameters {
      cache = true
      edge_ttl {
        mode    = "override_origin"
        default = 31536000 # one year
      }
      browser_ttl {
        mode    = "override_origin"
        default = 31536000
      }
    }
    expression  = "(starts_with(http.request.uri.path, \"/_next/static/\"))"
    description = "Next.js static assets"
    enabled     = true
  }

  rules {
    action = "set_cache_settings"
    action_parameters {
      cache = false
    }
    expression  = "(starts_with(http.request.uri.path, \"/api/\"))"
    description = "API routes bypass the cache"
    enabled     = true
  }

  rules {
    action = "set_cache_settings"
    action_parameters {
      cache = true
      edge_ttl {
        mode    = "override_origin"
        default = 86400
      }
      browser_ttl {
        mode    = "override_origin"
        default = 86400
      }
    }
    expression  = "(starts_with(http.request.uri.path, \"/images/\") or http.request.uri.path eq \"/favicon.ico\")"
    description = "Public images"
    enabled     = true
  }
}

resource "cloudflare_ruleset" "origin_rules" {
  zone_id = var.zone_id
  name    = "${var.environment}-origin-rules"
  kind    = "zone"
  phase   = "http_request_origin"

  rules {
    action = "route"
    action_parameters {
      host_header = var.cloud_run_url
    }
    expression  = var.subdomain == "" ? "(http.host eq \"${var.domain_name}\")" : "(http.host eq \"${var.subdomain}.${var.domain_name}\")"
    description = "Host header for Cloud Run"
    enabled     = true
  }

  lifecycle {
    ignore_changes = [rules]
  }
}
