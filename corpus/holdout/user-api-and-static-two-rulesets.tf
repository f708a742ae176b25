# Adapted (trimmed) from a public user repository: two zone rule sets of the
# cache phase for the same zone, heredoc expressions with interpolations.
# Cloudflare has one entry point rule set per phase and zone: the second
# create fails ("exceeded maximum number of zone rulesets for phase").

resource "cloudflare_ruleset" "cache_api" {
  zone_id     = var.cloudflare_zone_id
  name        = "${var.project}-${var.env}-api-cache"
  description = "Bypass Cloudflare cache for all API requests"
  kind        = "zone"
  phase       = "http_request_cache_settings"

  rules {
    description = "Bypass cache for api subdomain"
    enabled     = true
    expression  = "(http.host eq \"${var.api_subdomain}.${var.root_domain}\")"
    action      = "set_cache_settings"
    action_parameters {
      cache = false
    }
  }
}

resource "cloudflare_ruleset" "cache_static" {
  zone_id     = var.cloudflare_zone_id
  name        = "${var.project}-${var.env}-static-cache"
  description = "Cache rules for static site assets"
  kind        = "zone"
  phase       = "http_request_cache_settings"

  rules {
    description = "Long cache for versioned assets"
    enabled     = true
    expression  = <<-EOT
      (http.host eq "${var.static_subdomain}.${var.root_domain}") and
      (
        http.request.uri.path.extension in {"js" "css" "woff2" "png" "webp"}
      )
    EOT
    action = "set_cache_settings"
    action_parameters {
      cache = true
      edge_ttl {
        mode    = "override_origin"
        default = var.asset_cache_ttl
      }
      browser_ttl {
        mode    = "override_origin"
        default = var.asset_cache_ttl
      }
      serve_stale {
        disable_stale_while_updating = false
      }
    }
  }

  rules {
    description = "Short cache for HTML files"
    enabled     = true
    expression  = <<-EOT
      (http.host eq "${var.static_subdomain}.${var.root_domain}") and
      (http.request.uri.path.extension in {"html" "htm"} or
       http.request.uri.path eq "/")
    EOT
    action = "set_cache_settings"
    action_parameters {
      cache = true
      edge_ttl {
        mode    = "override_origin"
        default = var.html_cache_ttl
      }
    }
  }
}
