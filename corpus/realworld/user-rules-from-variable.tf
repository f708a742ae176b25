variable "zone_id" {
  type = string
}

variable "rules" {
  type = list(any)
}

resource "cloudflare_ruleset" "cache" {
  zone_id = var.zone_id
  name    = "Cache rules from a module input"
  kind    = "zone"
  phase   = "http_request_cache_settings"
  rules   = var.rules
}
