variable "zone_id" {}

resource "cloudflare_ruleset" "response" {
  zone_id = var.zone_id
  name    = "Strip validators"
  phase   = "http_response_cache_settings"
  kind    = "zone"
  rules = [
    {
      expression = "any(http.request.headers.values[*] == \"application/json\")"
      action     = "set_cache_settings"
      action_parameters = {
        strip_set_cookie    = true
        strip_etags         = true
        strip_last_modified = true
      }
    }
  ]
}
