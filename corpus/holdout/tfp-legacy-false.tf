
resource "cloudflare_ruleset" "holdout" {
  zone_id     = "0123456789abcdef0123456789abcdef"
  name        = "holdout"
  description = "holdout ruleset description"
  kind        = "zone"
  phase       = "http_request_cache_settings"

  rules = [{
    action = "set_cache_settings"
    action_parameters = {
      cache = false
    }
    expression  = "true"
    description = "holdout set cache settings rule"
    enabled     = true
  }]
}