"""Reports for politicians and the public record: summaries, the mayor's brief, exports.

Public API (callers import the module):

- ``summary``: read models for summaries (DataFrames and Altair charts, no streamlit)
- ``brief``: the one-page PDF brief
- ``exports``: CSV, Excel and JSON exports of the records behind a summary
"""
