"""The files of the offline exchange: the sealed package (magic line, header, AES-256-GCM of a zip)
and the registration (key) file a village laptop joins with. See services/exchange.py for the design."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.numbering import is_device_tag
from xianghe_desk.fileio import write_bytes_atomically
from xianghe_desk.store.exchange import SYNC_TABLES, Entry

MAGIC = b"XHDX1\n"
FORMAT = 1
REGISTRATION_KIND = "xianghe-desk-registration"
PACKAGE_SUFFIX = ".xhpkg"
NONCE = 12
# A package is refused beyond these sizes (issue #10: a 0.9 MB package inflated to 2 GB of
# memory). The unpacked size is counted while inflating, so a zip bomb stops at the limit.
MAX_PACKAGE_BYTES = 200 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
_CHUNK = 1 << 20


@dataclass
class Package:
    header: dict[str, Any]
    manifest: dict[str, Any]
    entries: list[Entry] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode("ascii"))


def refused(reason: str) -> ValidationError:
    return ValidationError(f"{reason}本机没有导入任何数据。", field="package")


def split_names(text: str) -> list[str]:
    for sep in ("、", "，", ",", ";", "；"):
        text = text.replace(sep, " ")
    return [part for part in text.split() if part]


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def jsonl(rows: Any) -> bytes:
    return b"".join(json_bytes(row) + b"\n" for row in rows)


def zip_files(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def too_big(name: str, limit: int) -> ValidationError:
    return refused(
        f"数据包「{name}」解开后超过 {limit // 1024 // 1024} MB，超出本程序一次能导入的大小，已拒绝，没有导入任何内容。"
        "请让对方分几次导出（例如先导入一部分村街）。"
    )


class _Budget:
    """How many unpacked bytes a package may still take (counted while inflating)."""

    def __init__(self, name: str, limit: int | None = None) -> None:
        limit = MAX_UNPACKED_BYTES if limit is None else limit
        self.name, self.limit, self.left = name, limit, limit

    def read(self, archive: zipfile.ZipFile, member: str) -> bytes:
        info = archive.getinfo(member)
        if info.file_size > self.left:
            raise too_big(self.name, self.limit)
        parts: list[bytes] = []
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                self.left -= len(chunk)
                if self.left < 0:
                    raise too_big(self.name, self.limit)
                parts.append(chunk)
        return b"".join(parts)


def unzip_package(plain: bytes, name: str) -> Package:
    budget = _Budget(name)
    try:
        with zipfile.ZipFile(io.BytesIO(plain)) as archive:
            manifest = json.loads(budget.read(archive, "manifest.json"))
            package = Package(header={}, manifest=manifest)
            for file_name, meta in manifest["files"].items():
                data = budget.read(archive, file_name)
                if hashlib.sha256(data).hexdigest() != meta["sha256"]:
                    raise refused(f"数据包「{name}」中的 {file_name} 校验和不符。")
                rows = [json.loads(line) for line in data.decode("utf-8").splitlines() if line]
                table = file_name.removesuffix(".jsonl")
                if table == "conflicts":
                    package.conflicts = rows
                elif table == "request_events":
                    package.events = rows
                elif table == "audit_log":
                    package.audit = rows
                elif table in SYNC_TABLES:
                    package.entries += [Entry.from_json(table, row) for row in rows]
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        if isinstance(exc, ValidationError):
            raise
        raise refused(f"数据包「{name}」的内容无法读取。") from None
    return package


def seal(plain: bytes, header: dict[str, Any], key: bytes) -> bytes:
    head = MAGIC + json_bytes(header) + b"\n"
    nonce = os.urandom(NONCE)
    return head + nonce + AESGCM(key).encrypt(nonce, plain, head)


def write_atomically(path: Path, data: bytes) -> None:
    """Write beside the target and rename, so a pulled USB stick never leaves half a file named right."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomically(path, data)


def read_registration(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationError(f"找不到登记文件「{path}」。", field="keyfile") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise ValidationError(
            f"「{path.name}」不是有效的登记文件。请用镇上「登记村电脑」生成的文件。", field="keyfile"
        ) from None
    try:
        ok = (
            data["kind"] == REGISTRATION_KIND
            and is_device_tag(data["device"]["tag"])
            and len(unb64(data["secret"])) == 32
            and data["township"]["uuid"]
        )
    except (KeyError, TypeError, ValueError):
        ok = False
    if not ok:
        raise ValidationError(
            f"「{path.name}」不是有效的登记文件。请用镇上「登记村电脑」生成的文件。", field="keyfile"
        )
    return dict(data)
