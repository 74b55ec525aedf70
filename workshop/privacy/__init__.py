"""Personal data: what is kept, a copy on request, erasure, and retention.

Public API: ``core`` (``from workshop.privacy import core as privacy``): export of one
person's data, erasure of a participant, applicant or member, and the retention purge; its
migration set ``samskab.privacy``. ``docs/data-inventory.md`` lists every table it covers.
"""
