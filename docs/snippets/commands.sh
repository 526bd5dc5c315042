# The project's commands as the docs pages show them. tests/docs/test_shell_snippets.py checks each
# one: make targets exist, paths and pytest markers exist, CLI options and API routes are real.

# --8<-- [start:make]
make demo   # installs everything into .venv, starts the sandbox, runs the quickstart DAG with real Airflow
make test   # lint, type checks, the docs site and every test, on the newest and the oldest supported Airflow
# --8<-- [end:make]

# --8<-- [start:docs]
make docs   # the docs site on http://127.0.0.1:8000
# --8<-- [end:docs]

# --8<-- [start:stack]
make stack
# --8<-- [end:stack]

# --8<-- [start:test-connection]
airflow connections test publer_default    # with AIRFLOW__CORE__TEST_CONNECTION=Enabled

curl -X POST http://127.0.0.1:8080/api/v2/connections/test -H "Authorization: Bearer $TOKEN" \
     -H 'Content-Type: application/json' -d '{"connection_id": "publer_default", "conn_type": "publer"}'
# --8<-- [end:test-connection]

# --8<-- [start:test-connection-cli]
AIRFLOW__CORE__TEST_CONNECTION=Enabled airflow connections test publer_default
# --8<-- [end:test-connection-cli]

# --8<-- [start:screenshots]
PUBLER_UPDATE_SCREENSHOTS=1 .venv/bin/python -m pytest -p no:cacheprovider tests/system/test_browser.py
# --8<-- [end:screenshots]

# --8<-- [start:chaos]
make dev
.venv/bin/python -m pytest -m chaos tests/integration/test_chaos.py -s
# --8<-- [end:chaos]

# --8<-- [start:pool]
airflow pools set publer 2 "Tasks that send to Publer (its limit: 100 requests per 2 minutes per user)"
# --8<-- [end:pool]

# --8<-- [start:run-sandbox]
.venv/bin/python -m airflow_provider_publer.sandbox --port 8765 --publish-time-scale 60
# --8<-- [end:run-sandbox]

# --8<-- [start:run-example]
# In the clone, after make demo (it builds .venv), while the sandbox runs in another terminal.
export AIRFLOW_HOME="$PWD/.airflow-try" AIRFLOW__CORE__DAGS_FOLDER="$PWD/example_dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False PUBLER_EXAMPLE_POKE_INTERVAL=2
.venv/bin/airflow db migrate
.venv/bin/airflow dags test example_publer_launch_with_image
# --8<-- [end:run-example]
