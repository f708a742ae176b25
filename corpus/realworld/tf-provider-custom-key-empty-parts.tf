variable "zone_id" {}

resource "cloudflare_ruleset" "cache" {
  zone_id = var.zone_id
  name    = "Empty custom key parts"
  phase   = "http_request_cache_settings"
  kind    = "zone"
  rules = [
    {
      expression = "ip.src eq 1.1.1.1"
      action     = "set_cache_settings"
      action_parameters = {
        cache_key = {
          cache_deception_armor = true
          custom_key = {
            cookie       = {}
            header       = {}
            host         = {}
            query_string = {}
            user         = {}
          }
          ignore_query_strings_order = true
        }
        serve_stale = {
          disable_stale_while_updating = true
        }
      }
    }
  ]
}
