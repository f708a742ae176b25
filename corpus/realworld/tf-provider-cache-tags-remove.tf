variable "zone_id" {}

resource "cloudflare_ruleset" "tags" {
  zone_id = var.zone_id
  name    = "Remove cache tags"
  phase   = "http_response_cache_settings"
  kind    = "zone"
  rules = [
    {
      expression = "http.request.uri.path contains \"/api\""
      action     = "set_cache_tags"
      action_parameters = {
        operation = "remove"
        values    = ["private", "internal"]
      }
    }
  ]
}
