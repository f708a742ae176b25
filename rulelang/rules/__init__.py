"""Rule sets from files: ``documents`` (JSON/YAML documents with positions), ``terraform``
(``cloudflare_ruleset`` resources), ``validate`` (the action-parameter schema), ``ruleset``
(``Ruleset``, ``Rule``, ``load_ruleset``), ``format`` (the rules-file formatter)."""
