# Cache Response Rules with the provider v5 attribute syntax.
resource "cloudflare_ruleset" "cache_response_settings" {
  zone_id = "0123456789abcdef0123456789abcdef"
  name    = "Cache response settings"
  kind    = "zone"
  phase   = "http_response_cache_settings"
  rules = [{
    ref         = "strip_static_cookies"
    description = "Static assets never set cookies"
    expression  = "http.request.uri.path.extension in {\"css\" \"js\" \"png\"} and http.response.code eq 200"
    action      = "set_cache_settings"
    action_parameters = {
      strip_set_cookie = true
      strip_etags      = true
    }
    }, {
    ref         = "edge_lifetime"
    description = "One hour at the edge, revalidate in browsers"
    expression  = "http.response.code eq 200"
    action      = "set_cache_control"
    action_parameters = {
      s_maxage        = { operation = "set", value = 3600, cloudflare_only = true }
      "must-revalidate" = { operation = "set" }
      no_cache        = { operation = "remove" }
    }
    }, {
    ref         = "tag_static"
    description = "Tag static assets"
    expression  = "http.request.uri.path.extension in {\"css\" \"js\" \"png\"}"
    action      = "set_cache_tags"
    action_parameters = {
      operation = "add"
      values    = ["static", "assets"]
    }
    }, {
    ref         = "tag_from_origin"
    description = "Tags listed by the origin in X-Tags"
    expression  = "any(http.response.headers.names[*] == \"X-Tags\")"
    action      = "set_cache_tags"
    action_parameters = {
      operation  = "add"
      expression = "split(http.response.headers[\"x-tags\"][0], \",\", 10)"
    }
  }]
}
