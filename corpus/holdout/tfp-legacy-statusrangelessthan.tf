
resource "cloudflare_ruleset" "holdout" {
  zone_id     = "0123456789abcdef0123456789abcdef"
  name        = "holdout"
  description = "holdout ruleset description"
  kind        = "zone"
  phase       = "http_request_cache_settings"

  rules = [{
    action = "set_cache_settings"
    action_parameters = {
      edge_ttl = {
        status_code_ttl = [{
          status_code_range = {
              to = 400
          }
          value = 1
          },
          {
            status_code_range = {
    from = 500
              to   = 501
}
            value = 1
        }]
        mode = "respect_origin"
      }
      cache = true
    }
    expression  = "true"
    description = "holdout set cache settings rule"
    enabled     = true
  }]
}
