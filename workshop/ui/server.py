"""The served application: Streamlit plus the app's own HTTP routes and headers.

``streamlit run streamlit_app.py`` imports that file, which imports :data:`app` from here.
Importing this module takes the serving lock on the database (``workshop.db``).
"""

import streamlit as st
from starlette.middleware import Middleware

from workshop.config import load_settings
from workshop.db import hold_serving_lock
from workshop.ui import participant_routes
from workshop.ui.auth_routes import routes
from workshop.ui.http_headers import SecurityHeaders

# This process serves the database until it ends: `samskab restore` refuses meanwhile.
hold_serving_lock(load_settings().db_path)
# Security headers on every response (workshop/ui/http_headers.py), not only via nginx.
app = st.App(
    "streamlit_app.py",
    routes=[*routes(), *participant_routes.routes()],
    middleware=[Middleware(SecurityHeaders)],
)
