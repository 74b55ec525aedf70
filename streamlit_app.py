"""Samskab's entry point.

This one file has two roles. ``streamlit run streamlit_app.py`` imports it and serves the
``st.App`` built at the bottom (from ``workshop.ui.server``): Streamlit plus the staff-cookie
and participant-cookie routes and the security headers (``.streamlit/config.toml`` and
``--server.*`` flags apply as before). Streamlit then runs this same file as ``__main__`` for
every page view: the router, :func:`workshop.ui.router.main`.

A report worker (``workshop/workers.py``, multiprocessing's spawn) imports this file as
``__mp_main__``: then it imports nothing, so a worker does not carry the UI.
"""

if __name__ == "__main__":
    from workshop.ui.router import main

    main()
elif __name__ != "__mp_main__":
    import streamlit as st

    from workshop.ui import server

    server.take_serving_lock()
    server.end_streams_on_exit()  # Ctrl+C and systemd's stop end the phones' push streams
    app = st.App("streamlit_app.py", routes=server.routes(), middleware=server.middleware())
