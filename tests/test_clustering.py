"""The clusterer in a process of its own answers exactly as in this one; its failures surface as errors."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kabar.cluster import StoryClusterer
from kabar.clustering import Clustered, ClusteringError, ClusteringProcess, LocalClustering
from kabar.extract import extract
from kabar.features import StreamWeights, article_features
from kabar.read import read_paths
from kabar.workers import start_method

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "clickid-2019-09-10.jsonl"


@pytest.fixture(scope="module")
def stream():
    """The bundled CLICK-ID sample as weighed clustering features, in file order."""
    articles = [extract(document) for document in read_paths([SAMPLE], lambda source, message: None)]
    weights = StreamWeights()
    return [(article.id, weights.observe(article_features(article))) for article in articles]


def _replay(clustering: LocalClustering | ClusteringProcess, stream) -> list:
    """Every reply to the stream's articles, with changes asked for every 50 and a preview at the end, asked for as
    the engine asks: ahead of the replies, which are read when they are in."""
    asked: list[str] = []
    replies = []
    for n, (key, features) in enumerate(stream, 1):
        clustering.submit(key, features)
        asked.append("result")
        if n % 50 == 0:
            clustering.ask_changes()
            asked.append("changes")
        while asked and clustering.ready():
            replies.append(_read(clustering, asked.pop(0)))
    clustering.ask_preview()
    clustering.ask_changes()
    asked += ["preview", "changes"]
    replies += [_read(clustering, kind) for kind in asked]
    return replies


def _read(clustering: LocalClustering | ClusteringProcess, kind: str):
    """The next reply, as plain data (pickled changes unpickled)."""
    if kind == "result":
        return clustering.result()
    if kind == "preview":
        return clustering.preview()
    state, stories = clustering.saved_changes()
    return pickle.loads(state), {k: None if v is None else pickle.loads(v) for k, v in stories.items()}


def _clusterer() -> StoryClusterer:
    return StoryClusterer(settle_every=40)  # settles (and their moves) happen within the sample


@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_the_clustering_process_replies_as_the_clusterer_here_would(stream, method):
    """Forked, the process inherits the clusterer; from a fork server (how a threaded web server starts it) it gets
    the clusterer pickled."""
    expected = _replay(LocalClustering(_clusterer()), stream)
    process = ClusteringProcess(_clusterer(), method)
    try:
        replies = _replay(process, stream)
    finally:
        process.close()
    assert not process.process.is_alive()
    assert len(replies) == len(expected) == len(stream) + len(stream) // 50 + 2
    assert replies == expected
    settled = sum(len(reply.assignment.settled) for reply in replies if isinstance(reply, Clustered))
    assert settled > 100, "the replay covers settling"


def test_a_failure_in_the_clustering_process_is_raised_here_with_its_cause(stream):
    process = ClusteringProcess(_clusterer(), start_method())
    try:
        process.submit(*stream[0])
        process.submit("broken", None)
        with pytest.raises(ClusteringError, match="AttributeError"):
            process.result()  # the chunk holding the broken article fails as a whole
    finally:
        process.close(failed=True)
    assert not process.process.is_alive()


def test_a_killed_clustering_process_is_an_error_not_a_hang(stream):
    process = ClusteringProcess(_clusterer(), start_method())
    try:
        os.kill(process.process.pid, signal.SIGKILL)
        process.submit(*stream[0])
        with pytest.raises(ClusteringError, match="died"):
            process.result()
    finally:
        process.close(failed=True)


def test_the_clustering_process_exits_when_the_ingesting_process_is_gone():
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    serve = (
        "import multiprocessing as m, kabar.clustering as c; from kabar.cluster import StoryClusterer; "
        f"c._serve(StoryClusterer(), m.Queue(), m.Queue(), {gone.stdout.strip()})"
    )
    server = subprocess.Popen([sys.executable, "-c", serve])
    assert server.wait(timeout=15) == 1  # it waited for requests, then saw the ingesting process gone
