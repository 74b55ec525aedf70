"""Voting: rounds, ballots for every method, their tallies, opinion groups and charts.

Public API (callers import the module):

- ``ballots``: rounds and dot ballots (writes)
- ``methods``: ballots for statements, pairwise, two axes, ranking and consent, and each
  method's results; the migration set ``samskab.vote_methods``
- ``tallies``: pure tallies for every method (no I/O)
- ``opinion_groups``: Pol.is-style opinion groups from agree / disagree / pass (pure)
- ``charts``: Altair charts of results (no streamlit)
"""
