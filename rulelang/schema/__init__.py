"""The catalogue: fields, functions, types and values — one registry, read as data.

Every other stage reads what the language offers from here: ``catalogue`` (fields and
their phases, the function table, phase names and labels), ``types`` (the type lattice),
``values`` (how language values map to Python). ``fields.json`` is the field data itself.
"""
