variable "zone_id" {}

resource "cloudflare_ruleset" "tags" {
  zone_id = var.zone_id
  name    = "Cache tags from a header"
  phase   = "http_response_cache_settings"
  kind    = "zone"
  rules = [
    {
      expression = "http.request.uri.path matches \"^/api/v[0-9]+/\""
      action     = "set_cache_tags"
      action_parameters = {
        operation  = "add"
        expression = "split(http.response.headers[\"cache-tag-ext\"][0], \",\", 1)"
      }
    }
  ]
}
