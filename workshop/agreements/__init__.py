"""Expectation-setting agreements (forventningsafstemning) and their acknowledgements.

Public API (callers import the module):

- ``core``: agreements from templates, versions, what is open for influence, commitments,
  acknowledgements from phones
- ``diff``: the difference between two versions (pure)
- ``schema``: the migration set ``samskab.agreements``
"""
