# Adapted from a public user repository: cache one JSON file on an R2 host.

resource "cloudflare_ruleset" "announcements_cache" {
  zone_id     = data.cloudflare_zone.main.id
  name        = "Cache announcements JSON"
  description = "Cache announcements.json at the edge to reduce R2 reads."
  kind        = "zone"
  phase       = "http_request_cache_settings"

  rules {
    description = "Cache announcements.json for 15 minutes"
    expression  = "(http.host eq \"data.example.org\" and http.request.uri.path eq \"/announcements.json\")"
    action      = "set_cache_settings"
    enabled     = true

    action_parameters {
      cache = true
      edge_ttl {
        mode    = "override_origin"
        default = 900
      }
      browser_ttl {
        mode    = "override_origin"
        default = 900
      }
    }
  }
}
