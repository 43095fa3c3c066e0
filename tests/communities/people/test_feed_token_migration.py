"""Feed tokens are hashed by a migration, so the links members already use keep working."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from communities.discussions.feeds import feed_reader
from communities.models import NotificationSettings
from communities.models.tokens import token_digest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("communities", "0001_initial")]


def test_existing_feed_links_keep_working_once_their_tokens_are_hashed():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("auth", "User").objects.create(
        username="amira@leeds.example.gov.uk", email="amira@leeds.example.gov.uk"
    )
    old.get_model("communities", "NotificationSettings").objects.create(
        user=user, feed_token="an-existing-secret-in-a-members-feed-reader"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    prefs = NotificationSettings.objects.get(user_id=user.pk)
    assert prefs.feed_token_digest == token_digest("an-existing-secret-in-a-members-feed-reader")
    assert feed_reader("an-existing-secret-in-a-members-feed-reader").pk == user.pk
