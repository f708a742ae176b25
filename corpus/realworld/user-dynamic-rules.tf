variable "zone_id" {
  type = string
}

variable "cache_rules" {
  type = list(object({
    description = string
    expression  = string
    ttl         = number
  }))
  default = []
}

resource "cloudflare_ruleset" "cache" {
  zone_id = var.zone_id
  name    = "Cache rules"
  kind    = "zone"
  phase   = "http_request_cache_settings"

  dynamic "rules" {
    for_each = var.cache_rules
    iterator = rule
    content {
      description = rule.value.description
      expression  = rule.value.expression
      action      = "set_cache_settings"
      action_parameters {
        cache = true
        edge_ttl {
          mode    = "override_origin"
          default = rule.value.ttl
        }
      }
    }
  }

  rules {
    description = "Bypass for logged-in users"
    expression  = "http.cookie contains \"session=\""
    action      = "set_cache_settings"
    action_parameters {
      cache = false
    }
  }
}
