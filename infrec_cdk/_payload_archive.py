"""A sample payload archive: a directory packed deterministically, or a given one read and checked.

What the archive must be (``SamplePayloadUrl``: "a single gzip compressed tar archive (.tar.gz
suffix)", ``API_PAYLOAD``; "an archive that contains individual files that the load testing tool
can send", ``GUIDE_PREREQUISITES``): a path that is not one, cannot be packed, or holds no file is
a ``PayloadError``. The same files always give the same bytes and digest.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import itertools
import tarfile
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol

from infrec_cdk._payload_content import content_kinds
from infrec_cdk._sources import API_PAYLOAD, GUIDE_PREREQUISITES

__all__ = [
    "MAX_INVOKE_BODY",
    "Archive",
    "PayloadError",
    "PayloadFile",
    "pack_directory",
    "read_archive",
]

# botocore's sagemaker-runtime model (2017-05-13): InvokeEndpoint's Body is a BodyBlob of at most
# 6291456 bytes; a request with a larger body is refused before it reaches the model.
MAX_INVOKE_BODY = 6_291_456
# Files above it are not read for their content (they are too large to be one request).
# Every packed entry gets these, whatever the disk says: the same files give the same bytes.
_FILE_MODE = 0o644
_DIRECTORY_MODE = 0o755
# A version of the packing format, part of the digest: a change here must change every hash.
_FORMAT = b"infrec-cdk sample payload tar v1\n"
_CHUNK = 1024 * 1024


class PayloadError(Exception):
    """The sample payload cannot be used; ``problems`` says why (without the field path)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True, slots=True)
class PayloadFile:
    """One file of the archive: its name in the archive, its size, what it looks like."""

    name: str
    size: int
    kinds: frozenset[str] | None
    """Content kinds it matches (``content_kinds``); ``None``: too large to have been read."""


@dataclass(frozen=True, slots=True)
class Archive:
    """What a checked or packed sample payload holds."""

    files: tuple[PayloadFile, ...]
    layout: tuple[str, ...]
    """Entries that are neither files at the top nor plain directories (see the layout warning)."""
    digest: str
    """SHA-256 of the uncompressed tar (a packed directory) or of the file (a given archive)."""


# --- packing a directory -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str  # the name in the archive (POSIX, Unicode NFC)
    source: Path  # the file on disk (a link's target) or the directory
    directory: bool


class _Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


class _HashingWriter(io.RawIOBase):
    """Hands bytes on to ``target`` and hashes them: the digest of the uncompressed tar."""

    def __init__(self, target: _Writable) -> None:
        super().__init__()
        self._target = target
        self.hash = hashlib.sha256(_FORMAT)

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        chunk = bytes(data)  # type: ignore[call-overload]  # a bytes-like object from tarfile
        self.hash.update(chunk)
        self._target.write(chunk)
        return len(chunk)


def _archive_name(relative: PurePosixPath) -> str:
    # macOS (HFS+) stores names decomposed, Linux as given: NFC makes both the same archive.
    return unicodedata.normalize("NFC", relative.as_posix())


def _entries(root: Path) -> tuple[list[_Entry], list[str]]:
    """Return every entry below ``root`` (links inside it followed) and the problems found."""
    entries: list[_Entry] = []
    problems: list[str] = []

    def visit(directory: Path, relative: PurePosixPath, on_path: frozenset[Path]) -> None:
        try:
            children = sorted(directory.iterdir(), key=lambda child: child.name)
        except OSError as error:
            problems.append(f"cannot list {_shown(relative)}: {error.strerror or error}")
            return
        for child in children:
            name = relative / child.name
            source = child
            if child.is_symlink():
                target = child.resolve()
                if not target.exists():
                    problems.append(f"{_shown(name)} is a symbolic link to nothing ({target})")
                    continue
                if not target.is_relative_to(root):
                    problems.append(
                        f"{_shown(name)} is a symbolic link to {target}, outside the directory; "
                        "only what is inside it is packed (copy the file in instead)"
                    )
                    continue
                source = target
            if source.is_dir():
                real = source.resolve()
                if real in on_path:
                    problems.append(f"{_shown(name)} is a symbolic link that loops back")
                    continue
                entries.append(_Entry(_archive_name(name), source, directory=True))
                visit(source, name, on_path | {real})
            elif source.is_file():
                entries.append(_Entry(_archive_name(name), source, directory=False))
            else:
                problems.append(f"{_shown(name)} is neither a file nor a directory")

    visit(root, PurePosixPath(), frozenset({root}))
    entries.sort(key=lambda entry: entry.name)  # a parent's name is a prefix: it sorts first
    names = [entry.name for entry in entries]
    problems += [
        f"{_shown(PurePosixPath(a))} appears twice once Unicode names are normalized (NFC)"
        for a, b in itertools.pairwise(names)
        if a == b
    ]
    return entries, problems


def _shown(relative: PurePosixPath) -> str:
    return repr(relative.as_posix())


def _tar_info(name: str, *, size: int, directory: bool) -> tarfile.TarInfo:
    """Return a header that depends on the name, the size and the kind alone."""
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE if directory else tarfile.REGTYPE
    info.mode = _DIRECTORY_MODE if directory else _FILE_MODE
    info.size = 0 if directory else size
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def pack_directory(root: Path, target: BinaryIO) -> Archive:
    """Write ``root`` to ``target`` as a gzip-compressed tar, the same bytes for the same files.

    Entries are sorted by name; names are POSIX and Unicode NFC; every header has mtime 0, uid and
    gid 0, no user or group name, mode 0644 (files) or 0755 (directories); the gzip header has
    mtime 0 and no file name. Links inside ``root`` are stored as the files they point to.
    The digest is the SHA-256 of the uncompressed tar: it does not depend on zlib's version.
    """
    root = root.resolve()
    entries, problems = _entries(root)
    if problems:
        raise PayloadError(problems)
    files: list[PayloadFile] = []
    layout: list[str] = []
    with gzip.GzipFile(filename="", mode="wb", fileobj=target, mtime=0, compresslevel=9) as gz:
        writer = _HashingWriter(gz)
        with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            for entry in entries:
                if entry.directory:
                    tar.addfile(_tar_info(entry.name, size=0, directory=True))
                    continue
                files.append(_add_file(tar, entry))
                if "/" in entry.name:
                    layout.append(f"{entry.name!r} is in a subdirectory")
    if not files:
        raise PayloadError([_no_files()])
    return Archive(tuple(files), tuple(layout), writer.hash.hexdigest())


def _add_file(tar: tarfile.TarFile, entry: _Entry) -> PayloadFile:
    try:
        size = entry.source.stat().st_size
        if size <= MAX_INVOKE_BODY:
            data = entry.source.read_bytes()
            tar.addfile(_tar_info(entry.name, size=len(data), directory=False), io.BytesIO(data))
            return PayloadFile(entry.name, len(data), content_kinds(data))
        with entry.source.open("rb") as stream:
            tar.addfile(_tar_info(entry.name, size=size, directory=False), stream)
    except OSError as error:
        raise PayloadError([f"cannot read {entry.name!r}: {error.strerror or error}"]) from error
    return PayloadFile(entry.name, size, None)


def _no_files() -> str:
    return (
        'holds no file to send: the sample payload is "an archive that contains individual '
        'files that the load testing tool can send to your SageMaker endpoints" '
        f"(source: {GUIDE_PREREQUISITES})"
    )


# --- checking a given archive --------------------------------------------------------------------

_GZIP_MAGIC = b"\x1f\x8b"


def read_archive(path: Path) -> Archive:
    """Check that ``path`` is a gzip-compressed tar with files in it; return what it holds."""
    not_an_archive = (
        'is not a gzip-compressed tar archive ({why}); the sample payload must be "a single '
        f'gzip compressed tar archive (.tar.gz suffix)" (source: {API_PAYLOAD})'
    )
    try:
        with path.open("rb") as stream:
            magic = stream.read(len(_GZIP_MAGIC))
            digest = hashlib.sha256(magic)
            for chunk in iter(lambda: stream.read(_CHUNK), b""):
                digest.update(chunk)
        if magic != _GZIP_MAGIC:
            raise PayloadError([not_an_archive.format(why="it does not start as gzip does")])
        with tarfile.open(path, mode="r:gz") as tar:
            files, layout = _members(tar)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        why = f"{type(error).__name__}: {error}"
        raise PayloadError([not_an_archive.format(why=why)]) from error
    except OSError as error:
        raise PayloadError([f"cannot read it: {error.strerror or error}"]) from error
    if not files:
        raise PayloadError([_no_files()])
    return Archive(tuple(files), tuple(layout), digest.hexdigest())


def _members(tar: tarfile.TarFile) -> tuple[list[PayloadFile], list[str]]:
    files: list[PayloadFile] = []
    layout: list[str] = []
    for member in tar:
        name = member.name.removeprefix("./")
        if member.isdir():
            continue
        if not member.isfile():
            layout.append(f"{member.name!r} is a link or a special file, not a file")
            continue
        if member.name.startswith("/") or ".." in PurePosixPath(member.name).parts:
            layout.append(f"{member.name!r} points outside the archive")
        elif "/" in name:
            layout.append(f"{member.name!r} is in a subdirectory")
        kinds = None
        if member.size <= MAX_INVOKE_BODY:
            extracted = tar.extractfile(member)
            kinds = content_kinds(extracted.read() if extracted is not None else b"")
        files.append(PayloadFile(member.name, member.size, kinds))
    return files, layout
