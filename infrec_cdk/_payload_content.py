"""What a sample payload file looks like, and which content types each look may be.

``content_kinds`` reads the bytes (image magic numbers, NumPy, JSON, JSON Lines, text);
``type_kinds`` maps a ``SupportedContentTypes`` value to the kinds its files may be. Used by the
sample-payload warnings (``_payload_checks``), never to refuse.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

__all__ = ["content_kinds", "type_kinds"]

_IMAGE_MAGIC: Mapping[str, tuple[bytes, ...]] = {
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "gif": (b"GIF87a", b"GIF89a"),
    "bmp": (b"BM",),
    "tiff": (b"II*\x00", b"MM\x00*"),
}
_IMAGES = frozenset({*_IMAGE_MAGIC, "webp"})


def content_kinds(data: bytes) -> frozenset[str]:
    """Return the kinds of content ``data`` could be: json, jsonlines, text, images, npy, npz."""
    kinds = {name for name, magics in _IMAGE_MAGIC.items() if data.startswith(magics)}
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kinds.add("webp")
    if data.startswith(b"\x93NUMPY"):
        kinds.add("npy")
    if data.startswith(b"PK\x03\x04"):
        kinds.add("npz")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return frozenset(kinds)
    if "\x00" not in text:
        kinds.add("text")
    if _is_json(text):
        kinds.add("json")
    lines = [line for line in text.splitlines() if line.strip()]
    if lines and all(_is_json(line) for line in lines):
        kinds.add("jsonlines")
    return frozenset(kinds)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


# The content types whose files can be recognised; any other type is not checked.
_KINDS_OF_TYPE: Mapping[str, frozenset[str]] = {
    "application/json": frozenset({"json"}),
    "application/jsonlines": frozenset({"jsonlines"}),
    "application/x-jsonlines": frozenset({"jsonlines"}),
    "application/jsonl": frozenset({"jsonlines"}),
    "text/csv": frozenset({"text"}),
    "text/plain": frozenset({"text"}),
    "text/x-libsvm": frozenset({"text"}),
    "image/jpeg": frozenset({"jpeg"}),
    "image/jpg": frozenset({"jpeg"}),
    "image/png": frozenset({"png"}),
    "image/gif": frozenset({"gif"}),
    "image/bmp": frozenset({"bmp"}),
    "image/tiff": frozenset({"tiff"}),
    "image/webp": frozenset({"webp"}),
    "image/x-image": _IMAGES,
    "application/x-image": _IMAGES,
    "application/x-npy": frozenset({"npy"}),
    "application/x-npz": frozenset({"npz"}),
}


def type_kinds(content_type: str) -> frozenset[str] | None:
    """Return the kinds a file of ``content_type`` may be; ``None`` when it cannot be told."""
    bare = content_type.split(";", 1)[0].strip().lower()
    if bare in _KINDS_OF_TYPE:
        return _KINDS_OF_TYPE[bare]
    if bare.endswith("+json"):
        return frozenset({"json"})
    return None
