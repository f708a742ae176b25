variable "cloudflare_zone_id" {
  type = string
}

resource "cloudflare_ruleset" "cache_rules" {
  zone_id = var.cloudflare_zone_id
  kind    = "zone"
  name    = "default"
  phase   = "http_request_cache_settings"

  rules {
    action      = "set_cache_settings"
    description = "Static assets long cache"
    enabled     = true
    expression  = "(ends_with(http.request.uri.path, \".webp\")) or (ends_with(http.request.uri.path, \".png\")) or (ends_with(http.request.uri.path, \".css\"))"
    action_parameters {
      cache = true
      edge_ttl {
        mode    = "override_origin"
        default = 31536000
      }
      browser_ttl {
        mode    = "override_origin"
        default = 31536000
      }
    }
  }

  rules {
    action      = "set_cache_settings"
    description = "HTML short cache"
    enabled     = true
    expression  = "(http.request.uri.path eq \"/\") or (ends_with(http.request.uri.path, \".html\"))"
    action_parameters {
      cache = true
      edge_ttl {
        mode    = "override_origin"
        default = 300
      }
      browser_ttl {
        mode = "respect_origin"
      }
    }
  }
}
