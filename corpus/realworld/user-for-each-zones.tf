variable "zones" {
  type = map(object({
    id   = string
    host = string
  }))
}

resource "cloudflare_ruleset" "cache" {
  for_each = var.zones

  zone_id = each.value.id
  name    = "cache-${each.key}"
  kind    = "zone"
  phase   = "http_request_cache_settings"

  rules = [
    {
      ref         = "cache_everything_${each.key}"
      description = "Cache everything on ${each.value.host}"
      expression  = "(http.host eq \"${each.value.host}\")"
      action      = "set_cache_settings"
      action_parameters = {
        cache = true
        edge_ttl = {
          mode    = "override_origin"
          default = 7200
        }
      }
    }
  ]
}
