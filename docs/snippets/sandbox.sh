# Starting the Publer sandbox (docs/sandbox.md). tests/docs/test_sandbox_snippets.py starts it with
# each command of the `start` section (on a free port) and calls its API.

# --8<-- [start:start]
python -m airflow_provider_publer.sandbox --port 8765
# or, installed as a console script:
publer-sandbox --port 8765
# --8<-- [end:start]

# --8<-- [start:state]
python -m airflow_provider_publer.sandbox state --url http://127.0.0.1:8765
# --8<-- [end:state]
