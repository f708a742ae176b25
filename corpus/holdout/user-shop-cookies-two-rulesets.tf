# Adapted (trimmed) from a public user repository (headless e-commerce): two
# cache rule sets for the same zone (Cloudflare refuses the second entry point),
# cookie lookups with [0].

resource "cloudflare_ruleset" "cache_bypass_sessions" {
  zone_id     = var.cloudflare_zone_id
  name        = "Bypass Cache for Sessions"
  kind        = "zone"
  phase       = "http_request_cache_settings"

  rules {
    action = "set_cache_settings"
    action_parameters {
      cache = false
    }
    expression  = "(http.request.cookies[\"__Host-session\"][0] != \"\" or http.request.cookies[\"logged_in\"][0] != \"\" or http.request.cookies[\"cart_token\"][0] != \"\")"
    description = "Bypass for active sessions"
    enabled     = true
  }
}

resource "cloudflare_ruleset" "cache_static_assets" {
  zone_id     = var.cloudflare_zone_id
  name        = "Cache Static Assets"
  kind        = "zone"
  phase       = "http_request_cache_settings"

  rules {
    action = "set_cache_settings"
    action_parameters {
      cache = true
      edge_ttl {
        mode    = "override_origin"
        default = 2592000
      }
      browser_ttl {
        mode    = "override_origin"
        default = 31536000
      }
    }
    expression  = "(http.request.uri.path.extension in {\"css\" \"js\" \"jpg\" \"png\" \"webp\" \"svg\" \"woff2\"})"
    description = "Cache static assets"
    enabled     = true
  }
}

resource "cloudflare_ruleset" "rate_limiting_login" {
  zone_id = var.cloudflare_zone_id
  name    = "Rate Limit Login"
  kind    = "zone"
  phase   = "http_ratelimit"

  rules {
    action = "block"
    ratelimit {
      characteristics     = ["ip.src", "cf.colo.id"]
      period              = 60
      requests_per_period = 5
      mitigation_timeout  = 300
    }
    expression  = "(http.request.uri.path contains \"/login\")"
    description = "Block excessive login attempts"
    enabled     = true
  }
}
