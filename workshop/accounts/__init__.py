"""Staff accounts (admins, facilitators, politicians) and their sessions. Citizens have none.

Public API (callers import the module):

- ``users``: accounts, passwords, roles, login with throttling
- ``sessions``: staff sessions that survive a reload (an HttpOnly cookie, hashed at rest);
  the migration set ``samskab.staff_sessions``
"""
