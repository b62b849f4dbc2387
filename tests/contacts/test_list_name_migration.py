"""Migration contacts 0006 renames duplicate list names before making names unique."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("contacts", "0005_suppressions")]
AFTER = [("contacts", "0006_unique_list_names")]


@pytest.fixture
def back_to_the_latest_schema():
    """Later tests share this database: every migration is applied again afterwards."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_duplicates_are_renamed_and_the_oldest_keeps_its_name(back_to_the_latest_schema):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Account = old.get_model("skylight", "Account")
    ContactList = old.get_model("contacts", "ContactList")
    first, second = Account.objects.create(name="A"), Account.objects.create(name="B")
    ids = [
        ContactList.objects.create(account=first, name=name).pk
        for name in ("Customers", "customers", "Customers", "Customers (2)")
    ]
    theirs = ContactList.objects.create(account=second, name="Customers").pk

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    names = dict(new.get_model("contacts", "ContactList").objects.values_list("pk", "name"))
    assert [names[pk] for pk in ids] == [
        "Customers",
        "customers (2)",
        "Customers (3)",
        "Customers (2) (2)",
    ]
    assert names[theirs] == "Customers"
