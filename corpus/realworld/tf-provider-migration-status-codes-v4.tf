resource "cloudflare_ruleset" "%[2]s" {
  zone_id = "%[1]s"
  name    = "Edge TTL by status code %[2]s"
  phase   = "http_request_cache_settings"
  kind    = "zone"

  rules {
    expression  = "http.request.uri.path contains \"/static\""
    action      = "set_cache_settings"
    description = "Static content with status code TTLs"

    action_parameters {
      cache = true

      edge_ttl {
        mode    = "override_origin"
        default = 7200

        status_code_ttl {
          status_code = 200
          value       = 86400
        }

        status_code_ttl {
          status_code = 404
          value       = 300
        }
      }
    }
  }

  rules {
    expression  = "http.request.uri.path contains \"/images\""
    action      = "set_cache_settings"
    description = "Images: respect origin, several status code TTLs"

    action_parameters {
      cache = true

      edge_ttl {
        mode = "respect_origin"

        status_code_ttl {
          status_code = 200
          value       = 604800
        }

        status_code_ttl {
          status_code_range {
            from = 400
            to   = 499
          }
          value = 60
        }

        status_code_ttl {
          status_code = 500
          value       = 0
        }
      }
    }
  }
}
