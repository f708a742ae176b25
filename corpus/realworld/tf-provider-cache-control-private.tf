variable "zone_id" {}

resource "cloudflare_ruleset" "response_cache_control" {
  zone_id = var.zone_id
  name    = "Cache-Control edits"
  phase   = "http_response_cache_settings"
  kind    = "zone"
  rules = [
    {
      expression = "any(http.request.headers.values[*] == \"application/json\")"
      action     = "set_cache_control"
      action_parameters = {
        s_maxage = {
          operation       = "set"
          value           = 1800
          cloudflare_only = true
        }
        stale_while_revalidate = {
          operation = "remove"
        }
        no_cache = {
          operation = "remove"
        }
        private = {
          operation = "set"
        }
        proxy_revalidate = {
          operation = "set"
        }
        no_store = {
          operation = "set"
        }
      }
    }
  ]
}
