"""The provider's Airflow UI plugin: a "Publer" page (Browse > Publer) and a "Publer" tab on task instances.

``publer.PublerPlugin`` registers a FastAPI app under the API server (``/publer``) and two
external views that the Airflow UI (3.1+) shows inside its own frame. ``records`` reads what
the provider's tasks recorded in Airflow (XCom, rendered fields); ``calendar`` asks Publer,
through ``PublerHook``, what became of it, with a cache so a page view costs little of the key's
request budget; ``app`` holds the routes, each behind Airflow's own authentication.
"""
