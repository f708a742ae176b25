"""HTTP messages and the fields the rules read from them.

``messages`` (``Request``, ``Response``), ``fields`` (one reader per field), ``derive`` (how a
field is computed from the message), ``field_values`` (supplied ``fields`` values),
``urlnorm`` (URL normalisation), ``samples`` (sample files: JSON, JSON Lines, HAR).
"""

from rulelang.http.messages import Request as Request
from rulelang.http.messages import Response as Response
