"""Patterns on bytes: ``regex`` (the engine's Rust-regex dialect translated to RE2, parsed by
``regex_syntax`` with the byte sets of ``bytesets``) and ``wildcard`` (``wildcard`` /
``strict wildcard``)."""
