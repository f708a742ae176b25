variable "cloudflare_zone_id" {
  type = string
}

variable "static_ttl" {
  type    = number
  default = 86400
}

variable "api_hostname" {
  type = string
}

locals {
  static_expr   = "(http.request.uri.path.extension in {\"css\" \"js\" \"png\" \"jpg\" \"svg\" \"woff2\"})"
  browser_ttl   = 60 * 60
  cache_enabled = true
}

resource "cloudflare_ruleset" "cache" {
  zone_id = var.cloudflare_zone_id
  name    = "default"
  kind    = "zone"
  phase   = "http_request_cache_settings"

  rules {
    ref         = "static_assets"
    description = "Static assets"
    expression  = "${local.static_expr} and not starts_with(http.request.uri.path, \"/preview/\")"
    action      = "set_cache_settings"
    action_parameters {
      cache = local.cache_enabled
      edge_ttl {
        mode    = "override_origin"
        default = var.static_ttl
      }
      browser_ttl {
        mode    = "override_origin"
        default = local.browser_ttl
      }
    }
  }

  rules {
    ref         = "bypass_api"
    description = "Never cache the API host"
    expression  = "http.host eq \"${var.api_hostname}\""
    action      = "set_cache_settings"
    action_parameters {
      cache = false
    }
  }
}
