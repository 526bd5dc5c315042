# Publer connections from the environment, as docs/connection.md and docs/sandbox.md show them.
# tests/docs/test_connection_snippets.py runs each section in bash and checks what the hook reads.

# --8<-- [start:publer]
export AIRFLOW_CONN_PUBLER_DEFAULT='{"conn_type": "publer", "password": "YOUR_API_KEY", "extra": {"workspace_id": "YOUR_WORKSPACE_ID"}}'
# --8<-- [end:publer]

# --8<-- [start:sandbox]
export AIRFLOW_CONN_PUBLER_DEFAULT='{"conn_type": "publer", "password": "sandbox-api-key-0123456789", "host": "http://127.0.0.1:8765/api/v1", "extra": {"workspace_id": "5f8d7a62c9e77e001f36e3a1"}}'
# --8<-- [end:sandbox]
