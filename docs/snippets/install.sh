# Installing the provider (README.md, docs/index.md). tests/docs/test_shell_snippets.py checks every
# command; tests/packaging/test_dist.py builds the wheel and resolves it against the locked environment.

# --8<-- [start:clone]
git clone https://github.com/airflow-provider-publer/airflow-provider-publer.git
cd airflow-provider-publer
pip install .
# --8<-- [end:clone]

# --8<-- [start:editable]
pip install -e ".[sandbox]"
# --8<-- [end:editable]

# --8<-- [start:wheel]
make dist
pip install dist/airflow_provider_publer-*.whl
# --8<-- [end:wheel]

# --8<-- [start:pypi]
pip install airflow-provider-publer
# --8<-- [end:pypi]
