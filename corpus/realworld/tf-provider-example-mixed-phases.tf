# Several rulesets of different phases in one file, as in the provider's v4 example
# (cache settings beside WAF, transform, config and compression rulesets).
resource "cloudflare_ruleset" "magic_transit_example" {
  account_id  = "f037e56e89293a057740de681ac9abbe"
  name        = "Magic Transit example"
  phase       = "magic_transit"
  kind        = "root"

  rules {
    ref         = "allow_tcp_ephemeral_ports"
    description = "Allow TCP ephemeral ports"
    expression  = "tcp.dstport in { 32768..65535 }"
    action      = "allow"
  }
}

resource "cloudflare_ruleset" "zone_level_managed_waf" {
  zone_id     = "0da42c8d2132a9ddaf714f9e7c920711"
  name        = "Managed WAF example"
  phase       = "http_request_firewall_managed"
  kind        = "zone"

  rules {
    ref         = "execute_managed_ruleset"
    expression  = "(http.host eq \"example.host.com\")"
    action      = "execute"
    action_parameters {
      id = "efb7b8c949ac4650a09736fc376e9aee"
      overrides {
        categories {
          category = "wordpress"
          action   = "block"
          enabled  = true
        }
      }
    }
    enabled = false
  }
}

resource "cloudflare_ruleset" "transform_uri_rule_path" {
  zone_id     = "0da42c8d2132a9ddaf714f9e7c920711"
  name        = "Transform example"
  phase       = "http_request_transform"
  kind        = "zone"

  rules {
    ref         = "transform_old_path"
    expression  = "(http.host eq \"example.com\" and http.request.uri.path eq \"/old-path\")"
    action      = "rewrite"
    action_parameters {
      uri {
        path {
          value = "/my-new-route"
        }
      }
    }
  }
}

resource "cloudflare_ruleset" "cache_settings_example" {
  zone_id     = "0da42c8d2132a9ddaf714f9e7c920711"
  name        = "Cache settings example"
  description = "Cache settings with a custom cache key"
  phase       = "http_request_cache_settings"
  kind        = "zone"

  rules {
    ref         = "cache_settings"
    expression  = "(http.host eq \"example.host.com\")"
    action      = "set_cache_settings"
    action_parameters {
      edge_ttl {
        mode    = "override_origin"
        default = 60
        status_code_ttl {
          status_code = 200
          value       = 50
        }
        status_code_ttl {
          status_code_range {
            from = 201
            to   = 300
          }
          value = 30
        }
      }
      browser_ttl {
        mode = "respect_origin"
      }
      serve_stale {
        disable_stale_while_updating = true
      }
      respect_strong_etags = true
      cache_key {
        ignore_query_strings_order = false
        cache_deception_armor      = true
        custom_key {
          query_string {
            exclude = ["*"]
          }
          header {
            include        = ["habc", "hdef"]
            check_presence = ["habc_t", "hdef_t"]
            exclude_origin = true
            contains = {
              "accept"          = ["image/webp", "image/png"]
              "accept-encoding" = ["br", "zstd"]
              "some-header"     = ["some-value", "some-other-value"]
            }
          }
          cookie {
            include        = ["cabc", "cdef"]
            check_presence = ["cabc_t", "cdef_t"]
          }
          user {
            device_type = true
            geo         = false
          }
          host {
            resolved = true
          }
        }
      }
      cache_reserve = {
        eligible          = true
        minimum_file_size = 100000
      }
      origin_error_page_passthru = false
    }
  }
}

resource "cloudflare_ruleset" "http_config_rules_example" {
  zone_id     = "0da42c8d2132a9ddaf714f9e7c920711"
  name        = "Config rules example"
  phase       = "http_config_settings"
  kind        = "zone"

  rules {
    ref         = "set_config_settings"
    expression  = "(http.request.uri.path matches \"^/api/\")"
    action      = "set_config"
    action_parameters {
      email_obfuscation = true
      bic               = true
    }
  }
}

resource "cloudflare_ruleset" "response_compress_brotli_html" {
  zone_id     = "0da42c8d2132a9ddaf714f9e7c920711"
  name        = "Compression example"
  phase       = "http_response_compression"
  kind        = "zone"

  rules {
    ref         = "prefer_brotli_for_html"
    expression  = "http.response.content_type.media_type == \"text/html\""
    action      = "compress_response"
    action_parameters {
      algorithms {
        name = "brotli"
      }
      algorithms {
        name = "auto"
      }
    }
  }
}
