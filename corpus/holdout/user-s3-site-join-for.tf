# Adapted (trimmed) from a public user repository: static site on S3 behind
# Cloudflare; config, cache and redirect rule sets in one file, v5 attributes.
# The hostnames expression is a local defined in another file of the stack.

resource "cloudflare_ruleset" "config" {
  zone_id = var.cloudflare_zone_id
  name    = "Zone configuration rules"
  kind    = "zone"
  phase   = "http_config_settings"

  rules = [
    {
      action      = "set_config"
      description = "SSL flexible for the static site"
      enabled     = true
      expression  = local.hosts_expression
      action_parameters = {
        ssl = "flexible"
      }
    },
  ]
}

resource "cloudflare_ruleset" "cache" {
  zone_id     = var.cloudflare_zone_id
  name        = "Zone cache rules"
  description = "Long TTL for hashed assets, short TTL for pages"
  kind        = "zone"
  phase       = "http_request_cache_settings"

  rules = [
    {
      action      = "set_cache_settings"
      description = "Static site assets: 30 days"
      enabled     = true
      # `matches` (regex) needs the Business plan; ends_with works on Free.
      expression = "${local.apex_expression} and (${join(" or ", [for ext in ["css", "js", "png", "svg", "woff2"] : "ends_with(http.request.uri.path, \".${ext}\")"])})"

      action_parameters = {
        cache = true
        edge_ttl = {
          mode    = "override_origin"
          default = 2592000
        }
        browser_ttl = {
          mode    = "override_origin"
          default = 2592000
        }
      }
    },
    {
      action      = "set_cache_settings"
      description = "Static site pages: 1 h edge, 5 min browser"
      enabled     = true
      expression  = "${local.apex_expression} and (ends_with(http.request.uri.path, \".html\") or ends_with(http.request.uri.path, \"/\"))"

      action_parameters = {
        cache = true
        edge_ttl = {
          mode    = "override_origin"
          default = 3600
        }
        browser_ttl = {
          mode    = "override_origin"
          default = 300
        }
      }
    },
  ]
}

resource "cloudflare_ruleset" "redirect" {
  zone_id = var.cloudflare_zone_id
  name    = "Zone redirect rules"
  kind    = "zone"
  phase   = "http_request_dynamic_redirect"

  rules = concat(
    [
      for host in local.www_hosts : {
        action     = "redirect"
        expression = "(http.host eq \"${host}\")"
        action_parameters = {
          from_value = {
            status_code = 301
            target_url = {
              expression = "concat(\"https://${var.domain_name}\", http.request.uri.path)"
            }
          }
        }
      }
    ],
  )
}
