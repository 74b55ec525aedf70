"""Feedback: telling the people who gave ideas what happened to them.

Public API: ``core`` (``from workshop.feedback import core as feedback``): feedback promises,
messages to participants through the pluggable sender, and "what happened to my idea?". An
idea's status itself is ``workshop.meetings.idea_status``.
"""
