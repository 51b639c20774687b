"""Reading and writing files for every command: only what was asked, never more, never elsewhere.

- :func:`read_text` opens without blocking (a FIFO or a terminal never hangs the command), refuses
  anything that is not a regular file (a directory, a FIFO, ``/dev/zero``…), and reads at most
  ``limit`` bytes, so a file that grows while it is read cannot exhaust memory.
- :func:`check_output` validates an output path before any work starts: not empty, its folder exists,
  not a folder, not a device or another non-regular file, not a symbolic link, the right extension.
- :func:`write_bytes` writes exactly the path given, never through a symbolic link (``O_NOFOLLOW``), and
  refuses to replace a file unless asked to.

Errors are :class:`~backcalc.errors.BackcalcError` (or the class passed as ``error``) with one line that
names the file, quoted (:func:`~backcalc.userinput.shown`).

>>> import os, tempfile
>>> folder = tempfile.mkdtemp()
>>> write_bytes(os.path.join(folder, "a.toml"), b"format = 1\\n", what="--out")
>>> read_text(os.path.join(folder, "a.toml"), limit=100)
'format = 1\\n'
"""

from __future__ import annotations

import errno
import os
import stat

from .errors import BackcalcError
from .userinput import label as _label, shown

_KIND = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
         (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a symbolic link"))


def _kind(mode: int) -> str:
    for test, name in _KIND:
        if test(mode):
            return name
    return "not a regular file"


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "no space left on the device"
    if exc.errno == errno.ELOOP:
        return "it is a symbolic link"
    return (exc.strerror or str(exc)).lower()


def read_text(path, limit: int, error=BackcalcError, what: str = "") -> str:
    """The UTF-8 text of the regular file ``path``, at most ``limit`` bytes (a leading BOM is dropped)."""
    prefix = f"{what}: " if what else ""
    name = _label(os.fspath(path))
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise error(f"{prefix}{name}: no such file") from None
    except OSError as exc:
        raise error(f"{prefix}{name}: cannot read ({_reason(exc)})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise error(f"{prefix}{name}: is {_kind(info.st_mode)}, expected a regular file")
        if info.st_size > limit:
            raise error(f"{prefix}{name}: {info.st_size} bytes is over the limit of {limit} bytes")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 16, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise error(f"{prefix}{name}: cannot read ({_reason(exc)})") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise error(f"{prefix}{name}: over the limit of {limit} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{prefix}{name}: not UTF-8 text (byte {exc.start})") from None
    return text[1:] if text.startswith("\ufeff") else text


def check_output(path, what: str, suffixes: tuple[str, ...] = (), force: bool = True) -> str:
    """Validate an output path before the work that fills it; returns it as a string."""
    if path is None or os.fspath(path) == "":
        raise BackcalcError(f"{what}: expected a file name, got an empty string")
    path = os.fspath(path)
    name = _label(path)
    if suffixes and not path.lower().endswith(suffixes):
        raise BackcalcError(f"{what}: {name} must end in {' or '.join(suffixes)} (the file is written exactly "
                            "where you say, and its format follows the name)")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise BackcalcError(f"{what}: folder {shown(folder)} does not exist")
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return path
    except OSError as exc:
        raise BackcalcError(f"{what}: {name}: cannot write ({_reason(exc)})") from None
    if not stat.S_ISREG(info.st_mode):
        raise BackcalcError(f"{what}: {name} is {_kind(info.st_mode)}; expected a new or a regular file")
    if not force:
        raise BackcalcError(f"{what}: {name} already exists; use --force to overwrite it")
    return path


def write_bytes(path, data: bytes, what: str = "", force: bool = True) -> None:
    """Write ``data`` to exactly ``path``: never through a symbolic link, never onto a device or a FIFO."""
    prefix = f"{what}: " if what else ""
    name = _label(os.fspath(path))
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    flags |= os.O_TRUNC if force else os.O_EXCL
    try:
        fd = os.open(path, flags, 0o644)
    except FileExistsError:
        raise BackcalcError(f"{prefix}{name} already exists; use --force to overwrite it") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP or os.path.islink(path):
            raise BackcalcError(f"{prefix}{name} is a symbolic link; backcalc never writes through one") from None
        raise BackcalcError(f"{prefix}cannot write {name} ({_reason(exc)})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise BackcalcError(f"{prefix}{name} is {_kind(info.st_mode)}; expected a regular file")
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except OSError as exc:
        raise BackcalcError(f"{prefix}cannot write {name} ({_reason(exc)})") from None
    finally:
        os.close(fd)


def write_text(path, text: str, what: str = "", force: bool = True) -> None:
    """:func:`write_bytes` of ``text`` in UTF-8 with ``\\n`` line ends."""
    write_bytes(path, text.encode("utf-8"), what=what, force=force)
