"""Entity resolution for scholarly records: from source records to works.

Each stage is a function over plain data (see :mod:`resolve.types`):

``read`` -> ``evidence graph`` -> ``candidates`` -> ``scores`` -> ``clusters`` -> ``works``

This package knows nothing of RDF; :mod:`kg` publishes its output.
"""

__version__ = "0.1.0"
