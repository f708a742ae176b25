# Adapted (trimmed) from a public user repository: a WAF rule set per zone with
# for_each over a data source, and one cache rule set on one of those zones.

data "cloudflare_zone" "zones" {
  for_each = var.zone_names
  name     = each.value
}

locals {
  country_set = join(" ", [for c in sort(tolist(var.blocked_countries)) : format("%q", c)])
}

resource "cloudflare_ruleset" "geo_block" {
  for_each = data.cloudflare_zone.zones

  zone_id = each.value.id
  name    = "Edge policy"
  kind    = "zone"
  phase   = "http_request_firewall_custom"

  rules {
    action      = "block"
    expression  = "(ip.geoip.country in {${local.country_set}})"
    description = "Block ${join("+", sort(tolist(var.blocked_countries)))} traffic"
    enabled     = true
  }
}

resource "cloudflare_ruleset" "odoo_image_cache" {
  zone_id = data.cloudflare_zone.zones["example.com"].id
  name    = "Odoo image edge cache"
  kind    = "zone"
  phase   = "http_request_cache_settings"

  rules {
    action = "set_cache_settings"
    action_parameters {
      cache = true
      edge_ttl {
        mode    = "override_origin"
        default = 2592000 # 30 days
      }
      browser_ttl {
        mode = "respect_origin"
      }
    }
    expression  = "(http.host eq \"odoo.example.com\" and starts_with(http.request.uri.path, \"/web/image/\"))"
    description = "Cache /web/image/* at the edge for 30 days"
    enabled     = true
  }
}
