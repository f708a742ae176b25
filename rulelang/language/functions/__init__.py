"""The built-in functions of the Rules language: ``core`` (the table and most functions) and
``text`` (the string functions)."""
