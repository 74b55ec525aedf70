"""Reminders: commitments, feedback promises and outcome reviews due soon or overdue.

Public API: ``due`` (``from workshop.reminders import due as reminders``): what is due, and
sending each owner one message a day through the pluggable sender (``samskab remind``).
"""
