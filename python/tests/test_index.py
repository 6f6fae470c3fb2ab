"""reprint.Index: the crawler's index from Python, in memory and on disk."""

from __future__ import annotations

import threading

import pytest

import reprint
from test_core import PAGE, WIRE


def test_a_partial_copy_finds_its_source(corpus):
    docs = dict(corpus)
    index = reprint.Index()
    for i, (doc_id, text) in enumerate(corpus):
        if doc_id.startswith(("wire/", "independent/")):
            assert index.insert(doc_id, text, time=1_700_000_000 + i, data=f"#{i}") is False
    n = len(index)
    assert n > 10
    found = index.query(docs["copies/partial-en-airline-merger.txt"])
    assert found, "the partial copy finds its wire story"
    best = found[0]
    assert best["id"] == "wire/en-airline-merger.txt"
    assert best["containment_query_in_doc"] > 0.4 and best["containment_doc_in_query"] > 0.4
    assert best["data"].startswith("#")
    wire = docs[best["id"]]
    p = best["passages"][0]
    # Passage offsets are bytes of the stored text's UTF-8.
    stored = index.get(best["id"])
    assert stored["text"] == wire
    assert 0 <= p["doc_start"] < p["doc_end"] <= len(wire.encode())
    # Unrelated text finds nothing.
    assert index.query("Completely unrelated words about gardening tomatoes in a cold spring.") == []
    assert index.remove(best["id"]) is True and index.remove(best["id"]) is False
    assert len(index) == n - 1 and best["id"] not in index
    assert all(m["id"] != best["id"] for m in index.query(docs["copies/partial-en-airline-merger.txt"]))


def test_check_and_insert_reports_then_adds():
    index = reprint.Index()
    assert index.check_and_insert("afp-1", WIRE, time=1_700_000_000) == []
    found = index.check_and_insert("site-9", PAGE, time=1_700_000_600)
    assert [m["id"] for m in found] == ["afp-1"]
    assert found[0]["containment_doc_in_query"] > 0.95
    assert found[0]["time"] == 1_700_000_000
    assert len(index) == 2
    stats = index.stats()
    assert stats["documents"] == 2 and stats["postings"] > 0


def test_persistent_index_survives_reopening(tmp_path):
    index = reprint.Index(str(tmp_path / "idx"))
    index.insert("afp-1", WIRE, time=1_700_000_000)
    index.save()
    index.compact()
    del index
    again = reprint.Index(tmp_path / "idx")
    assert len(again) == 1
    assert [m["id"] for m in again.query(PAGE)] == ["afp-1"]
    assert again.stats()["disk_bytes"] > 0


def test_query_budget_bounds_the_entries_a_query_reads(corpus):
    docs = [text for doc_id, text in corpus if doc_id.startswith(("wire/", "independent/"))]
    page = dict(corpus)["copies/partial-en-airline-merger.txt"]
    reads = {}
    for budget in (None, 1):
        index = reprint.Index(max_postings_per_query=budget)
        for i, text in enumerate(docs):
            index.insert(f"d{i}", text)
        before = index.stats()["postings_read"]
        found = index.query(page)
        reads[budget] = index.stats()["postings_read"] - before
        if budget is None:
            assert found, "the default budget finds the wire story"
    # The library's default budget reads every entry of this small index; a budget of one
    # entry reads one.
    assert reads[1] <= 1 < reads[None]


def test_index_errors_are_python_exceptions(tmp_path):
    with pytest.raises(ValueError):
        reprint.Index().save()  # an in-memory index cannot be saved
    with pytest.raises(ValueError):
        reprint.Index(sample_rate=0)
    with pytest.raises(ValueError):
        reprint.Index(config={"shingle": 0})
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    with pytest.raises((OSError, ValueError)):
        reprint.Index(str(not_a_dir))
    with pytest.raises(TypeError):
        reprint.Index().insert(3, "text")


def test_threads_share_one_index():
    index = reprint.Index()
    words = WIRE.split()

    def work(t):
        for i in range(25):
            text = " ".join(words[i % 7 :] + [f"thread{t}", f"doc{i}"])
            index.check_and_insert(f"{t}-{i}", text, time=1_700_000_000 + i)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(index) == 100
    assert len(index.query(WIRE)) > 0


def test_a_story_copied_by_many_sites_is_held_as_one_group(corpus):
    docs = dict(corpus)
    story = docs["wire/en-airline-merger.txt"]
    # 45 sites republish it under their own one-line header: near-duplicates of one another.
    pages = [(f"site-{i}", f"Site {i} News | Business\n{story}\nMore from site {i}") for i in range(45)]
    index = reprint.Index()
    for i, (page_id, text) in enumerate(pages):
        index.check_and_insert(page_id, text, time=1_700_000_000 + i)
    stats = index.stats()
    assert stats["groups"] == 1 and stats["copies"] > 0
    found = index.query(pages[7][1])
    reps = [m for m in found if m["copies"] > 0]
    assert len(reps) == 1
    copies = index.copies_of(reps[0]["id"])
    assert len(copies) == reps[0]["copies"]
    assert all(c["containment_in_representative"] >= 0.8 for c in copies)
    every = {m["id"] for m in found} | {c["id"] for c in copies}
    assert every == {page_id for page_id, _ in pages}
    # Queries verify the copies indexed before the group, not all 45.
    assert len(found) < 40
    assert index.copies_of("site-unknown") == []
