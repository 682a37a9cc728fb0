"""Where the clusterer runs: in the ingesting process, or in a process of its own beside it.

Clustering is the one stage that depends on every article before, so it cannot be split across workers;
but it need not wait for the store. For long inputs the clusterer runs in a process of its own
(``ClusteringProcess``): the ingesting process weighs each new article (``features.StreamWeights``), sends
it there and goes on with the next documents (extraction results, duplicate lookups, the store) while it is
decided, and writes each article once its decision comes back, in input order. Requests are answered in the
order they are made, so asking for the clusterer's changes right after a batch's last article cuts them exactly
there. Both kinds (``LocalClustering`` answers at once) take the same calls, so the driver has one code path and
the outcome is that of one-by-one ingest either way.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import queue
import traceback
from collections import deque
from dataclasses import dataclass
from typing import Any

from kabar.cluster import Preview, StoryClusterer
from kabar.features import ArticleFeatures
from kabar.model import Assignment
from kabar.workers import start_child

CHUNK_ARTICLES = 100
"""Articles per message to the clustering process: enough to amortise a message and the switch between processes (all
CLICK-ID on two cores: 39.6-40.6 s at 100 against 41.7-48.7 s at 20 and 43.9-46.6 s at 250), few enough that the
first decisions come back while the ingesting process still has work."""
LOOK_EVERY = 10
"""``ClusteringProcess.ready`` looks for a reply once in this many calls while none is in: a look costs tens of
microseconds (multiprocessing builds a selector for each), the driver asks after every document, and replies come a
chunk of CHUNK_ARTICLES at a time."""
REPLY_WAIT_SECONDS = 1.0
"""How long to wait for a reply before checking that the clustering process is still alive."""


@dataclass(slots=True)
class Clustered:
    """The clusterer's decision for one article, and the story the article is in once the decision is applied (the
    story it joined or settled in, followed through merges)."""

    assignment: Assignment
    story_id: str


SavedChanges = tuple[bytes, dict[str, bytes | None]]
"""What the clusterer changed since the last save, pickled: its state but the stories and frequencies, and each changed
story's record (None: forgotten); see ``StoryClusterer.take_story_changes``."""


def cluster_article(clusterer: StoryClusterer, key: str, features: ArticleFeatures) -> Clustered:
    """Assign one weighed article (``key`` names it; see ``StoryClusterer.assign_weighed``) and say which story it ends
    up in."""
    assignment = clusterer.assign_weighed(key, features)
    final = assignment.settled.get(key, assignment).story_id
    return Clustered(assignment, clusterer.resolve(final))


def pickled_changes(clusterer: StoryClusterer) -> SavedChanges:
    """``take_story_changes``, pickled (by the process holding the clusterer, so the other does not pay for it)."""
    state, stories = clusterer.take_story_changes()
    protocol = pickle.HIGHEST_PROTOCOL
    rows = {key: None if record is None else pickle.dumps(record, protocol) for key, record in stories.items()}
    return pickle.dumps(state, protocol), rows


class _Replies:
    """The clusterer's replies in request order: decisions (one per article submitted), saved changes and previews."""

    def __init__(self) -> None:
        self.replies: deque[Clustered | Preview | tuple] = deque()

    def result(self) -> Clustered:
        """The decision for the earliest article submitted and not yet returned."""
        return self._next(Clustered)

    def saved_changes(self) -> SavedChanges:
        """The changes asked for by the earliest ``ask_changes`` not yet answered."""
        return self._next(tuple)

    def preview(self) -> Preview:
        """The preview asked for by the earliest ``ask_preview`` not yet answered."""
        return self._next(Preview)

    def ready(self) -> bool:
        """Whether the next reply is in (the next call returns without waiting)."""
        return bool(self.replies)

    def _next(self, kind: type) -> Any:
        reply = self.replies.popleft() if self.replies else self._wait()
        if not isinstance(reply, kind):
            raise ClusteringError(f"expected {kind.__name__} from the clusterer, got {type(reply).__name__}")
        return reply

    def _wait(self) -> Clustered | Preview | tuple:
        raise ClusteringError("no request is waiting for a reply")


class LocalClustering(_Replies):
    """The clusterer in this process: each request is answered when it is made."""

    def __init__(self, clusterer: StoryClusterer) -> None:
        super().__init__()
        self.clusterer = clusterer

    def submit(self, key: str, features: ArticleFeatures) -> None:
        """Have a weighed article's story decided (``key`` names it); ``result`` returns the decision."""
        self.replies.append(cluster_article(self.clusterer, key, features))

    def ask_changes(self) -> None:
        """Ask for what the clusterer changed since the last time, as of the articles submitted (see ``saved_changes``)."""
        self.replies.append(pickled_changes(self.clusterer))

    def ask_preview(self) -> None:
        """Ask for the clusterer's ``preview`` as of the articles submitted."""
        self.replies.append(self.clusterer.preview())

    def close(self, failed: bool = False) -> None:
        """Nothing to stop."""


class ClusteringError(RuntimeError):
    """The clustering process failed or died."""


class ClusteringProcess(_Replies):
    """The clusterer in a process of its own, started with this process's clusterer (inherited when forked).

    Requests are sent (articles in chunks) and answered there in order while this process goes on. The clusterer here
    is not updated: once the process is closed, the store holds what it changed.
    """

    def __init__(self, clusterer: StoryClusterer, start_method: str) -> None:
        super().__init__()
        context = multiprocessing.get_context(start_method)
        self.requests: Any = context.Queue()
        self.answers: Any = context.Queue()
        self.process = context.Process(
            target=_serve, args=(clusterer, self.requests, self.answers, os.getpid()), name="kabar-clustering", daemon=True
        )
        self.process.start()
        self.chunk: list[tuple[str, ArticleFeatures]] = []
        self.unlooked = 0
        """Calls of ``ready`` since it last looked for a reply."""

    def submit(self, key: str, features: ArticleFeatures) -> None:
        """Send a weighed article to be decided (in a chunk, once CHUNK_ARTICLES are waiting)."""
        self.chunk.append((key, features))
        if len(self.chunk) >= CHUNK_ARTICLES:
            self._send_chunk()

    def ask_changes(self) -> None:
        """Ask for what the clusterer changed since the last time, as of the articles submitted; pickled there."""
        self._send_chunk()
        self.requests.put(("changes", None))

    def ask_preview(self) -> None:
        """Ask for the clusterer's ``preview`` as of the articles submitted."""
        self._send_chunk()
        self.requests.put(("preview", None))

    def _send_chunk(self) -> None:
        if self.chunk:
            self.requests.put(("assign", self.chunk))
            self.chunk = []

    def ready(self) -> bool:
        """Whether the next reply is in (the next call returns without waiting); one that has just come in may be seen
        only a few calls later (see LOOK_EVERY)."""
        if not self.replies:
            self.unlooked += 1
            if self.unlooked >= LOOK_EVERY:
                self.unlooked = 0
                with contextlib.suppress(queue.Empty):
                    self._receive(self.answers.get_nowait())
        return bool(self.replies)

    def _wait(self) -> Clustered | Preview | tuple:
        self._send_chunk()
        while not self.replies:
            try:
                self._receive(self.answers.get(timeout=REPLY_WAIT_SECONDS))
            except queue.Empty:
                if not self.process.is_alive():
                    raise ClusteringError(f"the clustering process died (exit code {self.process.exitcode})") from None
        return self.replies.popleft()

    def _receive(self, answer: Any) -> None:
        if isinstance(answer, _Failure):
            raise ClusteringError(f"clustering failed:\n{answer.trace}")
        if isinstance(answer, list):
            self.replies.extend(answer)
        else:
            self.replies.append(answer)

    def close(self, failed: bool = False) -> None:
        """Stop the process: asked to finish, or at once when the ingest ``failed``."""
        if not failed and self.process.is_alive():
            self.requests.put(("stop", None))
            self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=30)
        if self.process.is_alive():  # a process that does not end at SIGTERM is killed
            self.process.kill()
            self.process.join()
        for channel in (self.requests, self.answers):
            channel.cancel_join_thread()  # what is still queued is not wanted
            channel.close()


@dataclass(slots=True)
class _Failure:
    trace: str


def _serve(clusterer: StoryClusterer, requests: Any, replies: Any, parent_pid: int) -> None:
    """The clustering process: answer requests in order until asked to stop (or the ingesting process is gone)."""
    start_child(parent_pid)
    try:
        while True:
            kind, payload = requests.get()
            if kind == "assign":
                replies.put([cluster_article(clusterer, key, features) for key, features in payload])
            elif kind == "changes":
                replies.put(pickled_changes(clusterer))
                gc.freeze()  # as the ingesting process does after each batch: full collections would rescan the clusterer
            elif kind == "preview":
                replies.put(clusterer.preview())
            else:
                return
    except BaseException:
        replies.put(_Failure(traceback.format_exc()))
