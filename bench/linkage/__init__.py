"""Duplicate-finding quality: data sets with known true pairs, and the tools compared on them.

:mod:`bench.linkage.records` holds the common record shape every tool reads,
:mod:`bench.linkage.febrl` the FEBRL benchmark data sets, :mod:`bench.linkage.german` German
customers with planted duplicates, and :mod:`bench.linkage.tools` runs custmodel, recordlinkage
and splink on them.
"""
