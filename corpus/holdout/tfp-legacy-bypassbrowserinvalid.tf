
resource "cloudflare_ruleset" "holdout" {
  zone_id     = "0123456789abcdef0123456789abcdef"
  name        = "holdout"
  description = "set cache settings for the request"
  kind        = "zone"
  phase       = "http_request_cache_settings"
  rules = [{
    action      = "set_cache_settings"
    description = "example"
    enabled     = true
    expression  = "(http.host eq \"example.com\" and starts_with(http.request.uri.path, \"/example\"))"
    action_parameters = {
      cache = true
      browser_ttl = {
        mode    = "bypass_by_default"
        default = 100
      }
    }
  }]
}
