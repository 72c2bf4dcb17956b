"""Scripts that regenerate every figure and table, and the ``aga-ref`` command line."""
