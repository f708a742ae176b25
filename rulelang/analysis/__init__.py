"""Lint analyses beyond one expression: the settings of a rule (RS4xx) and the rule set
as a whole (RS207, RS5xx), the latter proven with z3 where it is installed."""
