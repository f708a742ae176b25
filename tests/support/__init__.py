"""Helpers shared by the test modules (test modules never import each other).

``pyproject.toml`` puts ``tests/`` on ``sys.path`` (``pythonpath = ["tests"]``), so a test
imports these as ``from support.paths import CORPUS``.  Nothing here is used by the library.
"""
