"""Live meetings: a dialogue session run step by step, with phones in the room.

Public API, one module per part (callers import the module, e.g.
``from workshop.meetings import core as meetings``):

- ``core``: meetings, join codes and links, agenda steps, participants and the state phones
  poll; the migration set ``samskab.meetings``
- ``participants``: who is in the room, how fast people join, removing someone
- ``ideas``: ideas posted from phones (or by a facilitator on someone's behalf)
- ``idea_status``: an idea's status (submitted … implemented) and the history of every change
- ``moderation``: hide with a reason, edit with a trail, merge duplicates
- ``themes``: grouping ideas into themes during the clustering step
- ``qr``: join links and their QR codes
- ``agenda``: agenda templates (citizens' meeting, prioritisation, …) and a step's position
  (pure); the services that write an agenda are in ``core``
- ``rules``: what a facilitator may do now (``can_*``; pure), enforced by the services
- ``stream``: what a phone's stream and ballot show, in which order (pure)
"""
