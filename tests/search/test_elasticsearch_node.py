"""The suite really talks to an Elasticsearch node."""

from elasticsearch_dsl import Document, Keyword, Text, connections


def test_a_document_is_indexed_and_found_on_the_real_node(elasticsearch, settings):
    connections.create_connection(alias="node-test", hosts=[settings.ELASTICSEARCH_URL])

    class Note(Document):
        title = Text(analyzer="standard")
        council = Keyword()

        class Index:
            name = f"{settings.ELASTICSEARCH_INDEX_PREFIX}-notes"

    Note.init(using="node-test")
    Note(meta={"id": 1}, title="Weekly food waste collections", council="E08000035").save(
        using="node-test", refresh=True
    )
    Note(meta={"id": 2}, title="Temporary accommodation", council="E08000003").save(
        using="node-test", refresh=True
    )

    hits = Note.search(using="node-test").query("match", title="food waste").execute()

    assert [hit.meta.id for hit in hits] == ["1"]
    assert hits[0].council == "E08000035"
    connections.remove_connection("node-test")
