# Cache Rules with the Cloudflare provider v5 attribute syntax.
resource "cloudflare_ruleset" "cache_settings" {
  zone_id     = "0123456789abcdef0123456789abcdef"
  name        = "Cache settings"
  description = "Cache settings for incoming requests"
  kind        = "zone"
  phase       = "http_request_cache_settings"
  rules = [
    {
      ref               = "bypass_admin"
      description       = "Never cache the admin area"
      expression        = "starts_with(http.request.uri.path, \"/admin/\")"
      action            = "set_cache_settings"
      action_parameters = { cache = false }
    },
    {
      ref         = "cache_static"
      description = "Static assets: one day at the edge, one hour in browsers"
      expression  = "http.request.uri.path.extension in {\"css\" \"js\" \"png\" \"woff2\"}"
      action      = "set_cache_settings"
      action_parameters = {
        cache = true
        edge_ttl = {
          mode    = "override_origin"
          default = 86400
          status_code_ttl = [
            { status_code = 404, value = 60 },
            { status_code_range = { from = 500 }, value = "no-store" },
          ]
        }
        browser_ttl = { mode = "override_origin", default = 3600 }
      }
    },
    {
      ref         = "cache_api"
      description = "Cache the public API, keyed without tracking parameters"
      expression  = "starts_with(http.request.uri.path, \"/api/\") and http.request.method eq \"GET\""
      action      = "set_cache_settings"
      action_parameters = {
        cache = true
        cache_key = {
          cache_deception_armor = true
          custom_key = {
            query_string = { exclude = { list = ["utm_source", "utm_medium"] } }
            header       = { include = ["x-api-version"], exclude_origin = true }
            cookie       = null
          }
        }
        serve_stale = { disable_stale_while_updating = true }
      }
    },
    {
      ref         = "mobile_variants"
      description = "Separate mobile variants"
      expression  = "http.user_agent contains \"Mobile\""
      action      = "set_cache_settings"
      action_parameters = {
        cache_key            = { cache_by_device_type = true }
        respect_strong_etags = true
      }
    },
    {
      ref               = "maintenance_bypass"
      description       = "Switched off: bypass everything during maintenance"
      expression        = "true"
      action            = "set_cache_settings"
      enabled           = false
      action_parameters = { cache = false }
    },
  ]
}
