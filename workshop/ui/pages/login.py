"""Staff login: facilitators, politicians and admins.

A successful login sends the browser through ``/auth/session``, which sets the session cookie
and continues to ``?next=`` (a page on this site the role may see) or the role's home page.
"""

import streamlit as st

from workshop.ui.session import base_path
from workshop.ui.staff_login import login_form

login_form(st.query_params.get("next") or f"{base_path()}/")
