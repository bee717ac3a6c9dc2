"""Tests of the travelshop example: its store and its code, with custmodel's testing kit.

Nothing here registers custmodel's strategies or fixtures: installing ``custmodel[testing]``
does (hypothesis' and pytest's entry points).
"""
