"""Exchange packages (数据交换包): one encrypted file on a USB stick between a laptop and the township.

Design
======

Identity and keys. Every copy has one device (``devices.is_self``) with a four-character tag that is
also part of its work-order numbers (contract §4). The township registers a village laptop
(``register_device``): it picks a tag no known copy uses, records the laptop as a peer with a fresh
256-bit key, and writes a registration file. The laptop ``join``s with that file: it takes the tag,
uuid, town and villages it was given and the key, and logs its rows afresh under the new tag (its
old tag stays reserved, so numbers it already printed stay unique). Nothing travels before that.

What changed. SQLite triggers of migration 0002 (store/schema.py) write every insert and update of
a travelling row (towns, villages, grids, members, residents, lookups, settings, requests) into
``sync_log``: one entry per write of a row with the *units* it changed and the stamps those units
had just before (its parents). A unit is a column, a reference carried as the referenced row's
uuid (local ids differ between copies), or a group merged as one value (a request's status with
its times, handler, method and rating, so a merged request never breaks the table's CHECK rules).
A member's grids travel as one unit of the member (logged when a package is made or read). A new
resident or request is logged without its data (the row holds it; export reads it from there),
which keeps the log small on a county's database. The request history (request_events) is
append-only and is not logged: a request's events travel with any change of the request, and the
receiver skips events it has. No store code had to change: whatever writes a travelling row is
logged. A stamp is ``<t>-<tag>``: ``t`` is a hybrid logical clock in milliseconds (never behind the
wall clock, always ahead of every stamp this copy has seen), so stamps order the writes of all
copies in one line that respects cause and effect.

Version vectors. ``sync_seen`` holds, per device, the newest stamp this copy has; each package
carries the sender's vector, and the receiver stores it as what that peer is known to have. A
package for a peer holds every logged entry the peer's vector does not cover, from whatever device
it came (so a township relays laptop A's work to laptop B). A package that never arrives costs
nothing: the next one repeats its content, because only a package *from* the peer moves the vector.

Applying (store/sync_apply.py), per unit of a row, against the stamp the unit has here:
- the same stamp is known already: nothing happens (the same package twice changes nothing);
- the incoming write built on what this copy holds (its parent is our stamp, or a descendant of
  it): it replaces it. Different units of one record edited on two copies therefore simply merge;
- this copy already moved past the incoming write: it is ignored;
- otherwise both were made without knowing each other. The later stamp stays in the row on every
  copy (so all copies end equal whatever order packages arrive in), and when the values differ a
  conflict is recorded with both values: the losing value is never thrown away. Its id derives
  from the two stamps, so two copies that notice the same conflict hold one record; records travel
  in packages, and the clerk's decision (保留本机 / 采用对方) is a new ordinary write that travels too.
  Two concurrent writes of the *same* value are no conflict, and the unit remembers both stamps
  (``unit+``), so a later write built on either of them applies cleanly; a concurrent value equal to
  a value this copy held earlier and moved on from (the seeded default both copies started with)
  is nothing new. ``created_at`` keeps the earliest time.
Deletions are tombstones (``deleted_at``, a unit like any other). A deletion made without knowing an
edit of the same row, or an edit made without knowing the deletion, is a conflict of kind
``delete``: the row stays deleted, the edit is applied to it and listed, and the clerk either
keeps the deletion or restores the row.

The same thing created twice. Every new copy seeds the county's towns, villages and default lists
with its own uuids, and two laptops may enter the same person. An incoming new row that matches a
local row on its natural key (town code, village code, lookup code, grid name in its village,
member phone in the town, resident ID number, work-order number) is the same thing: every copy
keeps the smaller uuid and records the other as an alias, and the two rows' values merge as
concurrent writes (equal values silently, different ones as conflicts; where one side left a field
blank, the given value is filled in by a new write and the conflict closed). References to the
alias resolve to the kept row, so requests of a resident entered on two laptops point at one
resident. A later edit that would give two rows the same unique value (a name or number taken) is
kept as a conflict of kind ``unique`` instead of being applied.
Likely duplicates without an ID number are offered to the clerk by services/duplicates.py.

Scope. A package for a village laptop holds the towns, villages, lists and settings, and only the
grids, members, residents, requests and history of the laptop's villages, the members serving its
grids, and every row those refer to, followed until nothing more is added (a member's grids in
other villages, their default members, a request's handler and resident, a resident's grid and
linked member: the rows themselves, not their villages), so the first package leaves nothing
waiting; the laptop sends everything it has. A write that refers to a row the receiver does not
have (a row that entered the scope later) waits in ``sync_pending`` and the receiver names the
missing rows in its next package (``needs``); the other side then sends their whole history.

Package file. ``XHDX1`` magic line, one JSON header line (package id, from, to: in the clear so the
receiver can pick the key and refuse a package meant for another copy), a 12-byte nonce and the
AES-256-GCM ciphertext of a zip holding ``manifest.json`` (format and schema version, who made it,
for whom, what it covers: version vectors, scope, counts, SHA-256 of every file) and one JSONL file
per table plus ``conflicts.jsonl``. The header is authenticated data, so a changed byte anywhere, a
truncated file or the wrong key fails authentication, and the package is refused whole before
anything is written. Import is one transaction; big packages are applied in batches
(executemany for new rows, buffered log writes): 100,000 changed rows export and import in
seconds (tests/perf/test_exchange_perf.py).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from xianghe_desk.domain.errors import ConflictError, NotFoundError, ValidationError
from xianghe_desk.domain.models import Village
from xianghe_desk.domain.numbering import new_device_tag
from xianghe_desk.services.exchange_files import (
    FORMAT,
    MAGIC,
    MAX_PACKAGE_BYTES,
    NONCE,
    PACKAGE_SUFFIX,
    REGISTRATION_KIND,
    Package,
    b64,
    json_bytes,
    jsonl,
    read_registration,
    refused,
    seal,
    split_names,
    too_big,
    unb64,
    unzip_package,
    write_atomically,
    zip_files,
)
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store import migrations
from xianghe_desk.store.accounts import AuditStore
from xianghe_desk.store.base import TableStore
from xianghe_desk.store.conflicts import ConflictStore
from xianghe_desk.store.db import new_uuid, now_text
from xianghe_desk.store.exchange import SYNC_TABLES, Entry, Peer, SyncStore
from xianghe_desk.store.sync_apply import ApplyReport, SyncApplier

__all__ = ["PACKAGE_SUFFIX", "TABLE_LABELS", "ExchangeService", "ExportResult", "ImportResult", "Registration"]

# Called with the other side before anything is written (operations/exchange.py checks that the
# signed-in user belongs to the package's villages); raising refuses the package whole.
Authorize = Callable[[Peer], None]

_PROGRESS_EVERY = 2000

TABLE_LABELS = {
    "towns": "镇",
    "villages": "村街",
    "members": "网格员",
    "grids": "网格",
    "residents": "服务对象",
    "lookups": "分类列表",
    "settings": "设置",
    "requests": "工单",
    "request_events": "办理记录",
    "audit_log": "操作日志",
}


class Progress(Protocol):
    """What a job offers a long service call (jobs.Job fits)."""

    def report(self, done: int, total: int) -> None: ...

    def check_cancelled(self) -> None: ...


class _NoProgress:
    def report(self, done: int, total: int) -> None:
        pass

    def check_cancelled(self) -> None:
        pass


@dataclass(frozen=True)
class Registration:
    path: Path
    tag: str
    name: str
    villages: tuple[str, ...]


@dataclass(frozen=True)
class ExportResult:
    path: Path
    package_id: str
    peer_name: str
    changes: int
    counts: dict[str, int]
    conflicts: int


@dataclass(frozen=True)
class ImportResult:
    package_id: str
    sender: str
    already_imported: bool
    received: int
    applied: int
    known: int
    counts: dict[str, int]
    new_conflicts: int
    merged: int
    pending: int

    def summary(self) -> str:
        """One Chinese paragraph for the clerk."""
        if self.already_imported and self.applied == 0:
            return f"这个数据包（来自{self.sender}）以前已经导入过，这次没有新的内容。"
        parts = [f"{TABLE_LABELS.get(t, t)} {n} 条" for t, n in self.counts.items() if n]
        text = f"已导入来自{self.sender}的数据包：共 {self.received} 条变动，新写入 {self.applied} 条"
        text += f"（{'、'.join(parts)}）" if parts else ""
        text += f"，{self.known} 条本机已有。"
        if self.merged:
            text += f"有 {self.merged} 人在两边分别录入过（身份证号或手机号相同），已合并为一条。"
        if self.new_conflicts:
            text += f"有 {self.new_conflicts} 处两边都改过的内容需要您决定，请查看「冲突」列表。"
        if self.pending:
            text += f"{self.pending} 条变动所涉及的记录本机还没有，下次交换时会自动补齐。"
        return text


class ExchangeService:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.log = SyncStore(ws.db, ws.device.tag)
        self.conflict_store = ConflictStore(ws.db, ws.device.tag)

    # ---------------------------------------------------------------- devices
    def peers(self) -> list[Peer]:
        return self.log.peers()

    def peer(self, text: str) -> Peer:
        """A registered peer by tag (any case) or by name."""
        wanted = text.strip()
        for peer in self.log.peers():
            if wanted.upper() == peer.tag or wanted == peer.name:
                return peer
        known = "、".join(f"{p.name}（{p.tag}）" for p in self.log.peers()) or "还没有登记任何设备"
        raise NotFoundError(
            f"没有登记过设备「{text}」。已登记的设备：{known}。村里的电脑请先在镇上用「登记村电脑」登记。",
            field="device",
        )

    def resolve_villages(self, village: str, town: str | None) -> list[Village]:
        """The villages a laptop is registered for (names or codes separated by 、), in one town."""
        places = PlaceService(self.ws)
        villages = [places.resolve_village(v, town) for v in split_names(village)]
        if not villages:
            raise ValidationError("请填写这台电脑负责的村街。", field="village")
        if any(v.town_id != villages[0].town_id for v in villages):
            raise ValidationError("一台电脑负责的村街要在同一个镇。", field="village")
        return villages

    def registration_villages(self, keyfile: Path | str) -> tuple[list[Village], list[str]]:
        """The villages a registration file gives the laptop joining with it, as this copy knows
        them (by statistical code, else by name in the town), and the names it does not know."""
        device = read_registration(Path(keyfile))["device"]
        return self._villages_named(
            [(str(v.get("code") or ""), str(v.get("name") or "")) for v in device["villages"]],
            str(device.get("town_code") or ""),
        )

    def package_villages(self, peer: Peer) -> list[Village] | None:
        """The villages a package to or from ``peer`` is about: a village laptop's villages (the
        peer's, or this copy's own when this copy is the laptop); None: all this copy holds."""
        if peer.role == "village":
            found = (self.ws.villages.get(i) for i in self.log.village_ids(peer.village_uuids))
            return [v for v in found if v is not None]
        if self.ws.device.role == "village":
            names = self.ws.settings.get("local.exchange_villages") or []
            villages, _unknown = self._villages_named(
                [("", str(n)) for n in names], str(self.ws.settings.get("town_code") or "")
            )
            return villages
        return None

    def _villages_named(self, wanted: list[tuple[str, str]], town_code: str) -> tuple[list[Village], list[str]]:
        places = PlaceService(self.ws)
        town = self.ws.towns.by_code(town_code) if town_code else None
        found: list[Village] = []
        unknown: list[str] = []
        for code, name in wanted:
            village = self.ws.villages.by_code(code) if code else None
            if village is None and town is not None and name:
                try:
                    village = places.resolve_village(name, town)
                except ValidationError:
                    village = None
            if village is None:
                unknown.append(name or code)
            else:
                found.append(village)
        return found, unknown

    def register_device(self, name: str, village: str, town: str | None, out: Path | str) -> Registration:
        """At the township: register a village laptop and write its registration (key) file."""
        name = name.strip()
        if not name:
            raise ValidationError("请给这台电脑起个名字，例如「王刘圈村录入电脑」。", field="name")
        if any(p.name == name for p in self.log.peers()):
            raise ConflictError(f"已经有一台叫「{name}」的设备了，请换个名字。", field="name")
        villages = self.resolve_villages(village, town)
        town_row = self.ws.towns.get(villages[0].town_id)
        assert town_row is not None
        used = {d.tag for d in self.ws.devices.all()} | {p.tag for p in self.log.peers()}
        used |= set(self.log.seen())
        tag = new_device_tag()
        while tag in used:
            tag = new_device_tag()
        secret = b64(AESGCM.generate_key(bit_length=256))
        device_uuid = new_uuid()
        me = self.ws.device
        registration = {
            "kind": REGISTRATION_KIND,
            "format": FORMAT,
            "created_at": now_text(),
            "township": {"uuid": me.uuid, "tag": me.tag, "name": me.name, "town_code": town_row.code},
            "device": {
                "uuid": device_uuid,
                "tag": tag,
                "name": name,
                "role": "village",
                "town_code": town_row.code,
                "villages": [{"uuid": v.uuid, "code": v.code, "name": v.short_name} for v in villages],
            },
            "secret": secret,
        }
        path = Path(out)
        with self.ws.atomic():
            self.ws.devices.add(tag, name, "village", town_row.id)
            self.log.add_peer(
                device_uuid, tag, name, "village", secret, town_row.code, [v.uuid for v in villages]
            )
            write_atomically(path, json.dumps(registration, ensure_ascii=False, indent=2).encode("utf-8"))
        return Registration(path, tag, name, tuple(v.short_name for v in villages))

    def join(self, keyfile: Path | str) -> Peer:
        """On the laptop: take the identity, key, town and villages the township registered."""
        data = read_registration(Path(keyfile))
        device, township = data["device"], data["township"]
        if township["uuid"] == self.ws.device.uuid:
            raise ValidationError("这是本机自己发出的登记文件，请在村里的电脑上导入它。", field="keyfile")
        if self.log.peer(township["uuid"]) is not None and self.ws.device.uuid == device["uuid"]:
            raise ConflictError("本机已经用这个登记文件加入过了，不需要再加入。", field="keyfile")
        if self.log.has_exchanged() or self.log.peers():
            raise ConflictError(
                "本机已经和其他设备交换过数据，不能再换身份加入。请在一台新安装的电脑上导入登记文件，"
                "或联系镇上重新登记。",
                field="keyfile",
            )
        town = self.ws.towns.by_code(str(device["town_code"]))
        old = self.ws.device
        with self.ws.atomic():
            self.ws.devices.update(
                old.id,
                uuid=device["uuid"],
                tag=device["tag"],
                name=device["name"],
                role="village",
                town_id=town.id if town else None,
            )
            # The old tag stays known: numbers it already gave out must never come back.
            if old.tag != device["tag"]:
                self.ws.devices.add(old.tag, f"{old.name}（加入前）", old.role, old.town_id)
            if self.ws.devices.by_tag(township["tag"]) is None:
                self.ws.devices.add(township["tag"], township["name"], "township", town.id if town else None)
            self.log.add_peer(
                township["uuid"], township["tag"], township["name"], "township", data["secret"],
                township.get("town_code"), [],
            )  # fmt: skip
            self.ws.settings.set("local.exchange_villages", [v["name"] for v in device["villages"]])
            self.ws.settings.set("town_code", device["town_code"])
            self.log.rebuild()
        self.ws.device = self.ws.devices.self_device() or old
        for store in vars(self.ws).values():
            if isinstance(store, TableStore):
                store.device_id = self.ws.device.tag
        self.log.device_id = self.conflict_store.device_id = self.ws.device.tag
        peer = self.log.peer(township["uuid"])
        assert peer is not None
        return peer

    # ---------------------------------------------------------------- export
    def export_package(
        self, device: str, out: Path | str, job: Progress | None = None, authorize: Authorize | None = None
    ) -> ExportResult:
        """Write a package for ``device`` (tag or name) with everything it does not have yet."""
        job = job or _NoProgress()
        peer = self.peer(device)
        if authorize is not None:
            authorize(peer)
        me = self.ws.device
        with self.ws.atomic():
            self.log.flush_member_grids()
            scope = None
            if peer.role == "village":
                scope = self.log.scope(peer.village_uuids, peer.town_code)
            seen = self.log.seen()
            aliases = self.log.aliases()
            entries: dict[str, Entry] = {}
            for entry in self.log.entries_since(peer.seen):
                if (
                    scope is None
                    or entry.tbl not in scope
                    or aliases.get((entry.tbl, entry.uuid), entry.uuid) in scope[entry.tbl]
                ):
                    entries[entry.stamp] = entry
            job.check_cancelled()
            for entry in self.log.entries_of_rows(peer.needs):
                entries[entry.stamp] = entry
            selected = self.log.with_data([entries[stamp] for stamp in sorted(entries)])
            job.check_cancelled()
            # A request's history is append-only and travels with the request's own changes.
            events = self.log.events_of(
                {aliases.get(("requests", e.uuid), e.uuid) for e in selected if e.tbl == "requests"}
            )
            conflicts = self.conflict_store.for_export(scope)
            package_id = new_uuid()
            by_table: dict[str, list[Entry]] = {t: [] for t in SYNC_TABLES}
            for entry in selected:
                by_table[entry.tbl].append(entry)
            job.check_cancelled()
            files: dict[str, bytes] = {}
            for table, rows in by_table.items():
                if table != "request_events":
                    files[f"{table}.jsonl"] = jsonl(e.to_json() for e in rows)
            files["request_events.jsonl"] = jsonl(events)
            files["conflicts.jsonl"] = jsonl(conflicts)
            counts = {t: len(rows) for t, rows in by_table.items()}
            counts["request_events"] = len(events)
            if me.role == "village":
                # The laptop's audit trail travels to the township (issue #9): every row since
                # shortly before the newest change the township has of this laptop (receivers skip
                # rows they have, so the overlap costs nothing and a lost package loses nothing).
                audit = self._audit_to_send(peer.seen.get(me.tag, 0))
                files["audit_log.jsonl"] = jsonl(audit)
                counts["audit_log"] = len(audit)
            manifest = {
                "format": FORMAT,
                "schema_version": migrations.SCHEMA_VERSION,
                "package_id": package_id,
                "created_at": now_text(),
                "from": {"uuid": me.uuid, "tag": me.tag, "name": me.name, "role": me.role},
                "to": {"uuid": peer.device_uuid, "tag": peer.tag, "name": peer.name},
                "covers": {
                    "seen": seen,
                    "since": peer.seen,
                    "scope": "all" if scope is None else {"villages": list(peer.village_uuids)},
                    "counts": counts,
                    "changes": len(selected),
                    "conflicts": len(conflicts),
                },
                "needs": self.log.pending_rows(),
                "files": {
                    n: {"sha256": hashlib.sha256(b).hexdigest(), "bytes": len(b)} for n, b in files.items()
                },
            }
            header = {
                "format": FORMAT,
                "package_id": package_id,
                "from": me.tag,
                "from_uuid": me.uuid,
                "to": peer.tag,
                "to_uuid": peer.device_uuid,
                "created_at": manifest["created_at"],
            }
            blob = seal(zip_files({"manifest.json": json_bytes(manifest), **files}), header, unb64(peer.secret))
            job.check_cancelled()
            path = Path(out)
            write_atomically(path, blob)
            self.log.record_package(package_id, "out", peer.tag, len(selected), counts)
            self.log.update_peer(peer.device_uuid, last_export_at=now_text(), needs=[])
        return ExportResult(path, package_id, peer.name, len(selected), counts, len(conflicts))

    # ---------------------------------------------------------------- import
    def read_package(self, path: Path | str) -> Package:
        """Open, authenticate and check a package without writing anything.

        Raises:
            ValidationError: not a package, damaged, changed, truncated, for another copy, from an
                unknown device or from a newer program; the message says what to do.
        """
        path = Path(path)
        try:
            if path.stat().st_size > MAX_PACKAGE_BYTES:
                raise too_big(path.name, MAX_PACKAGE_BYTES)
            raw = path.read_bytes()
        except FileNotFoundError:
            raise ValidationError(
                f"找不到文件「{path}」。请检查U盘是否插好、文件名是否正确。", field="package"
            ) from None
        except OSError as exc:
            raise ValidationError(
                f"无法读取「{path.name}」：{exc.strerror or exc}。", field="package"
            ) from None
        if not raw.startswith(MAGIC):
            raise refused(
                f"「{path.name}」不是香河服务台账的数据交换包（文件开头不对）。请选择对方导出的 {PACKAGE_SUFFIX} 文件。"
            )
        end = raw.find(b"\n", len(MAGIC))
        try:
            header = json.loads(raw[len(MAGIC) : end].decode("utf-8")) if end > 0 else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            header = None
        if not isinstance(header, dict) or "to" not in header or "from_uuid" not in header:
            raise refused(f"数据包「{path.name}」已损坏或不完整（可能没有复制完）。请让对方重新导出一次。")
        me = self.ws.device
        if header.get("to") != me.tag or header.get("to_uuid") != me.uuid:
            raise refused(
                f"这个数据包是发给设备 {header.get('to')} 的，不是发给本机（{me.tag}）的。请确认拿的是给本机的数据包。"
            )
        peer = self.log.peer(str(header["from_uuid"]))
        if peer is None:
            raise refused(
                f"这个数据包来自未登记的设备 {header.get('from')}。村里的电脑要先在镇上登记，并在本机「加入」之后才能交换数据。"
            )
        body = raw[end + 1 :]
        try:
            plain = AESGCM(unb64(peer.secret)).decrypt(body[:NONCE], body[NONCE:], raw[: end + 1])
        except (InvalidTag, ValueError):
            raise refused(
                f"数据包「{path.name}」校验失败：文件被改动过、没有复制完整，或不是用本机的密钥加密的。请让{peer.name}重新导出一次。"
            ) from None
        package = unzip_package(plain, path.name)
        manifest = package.manifest
        if int(manifest.get("schema_version", 0)) > migrations.SCHEMA_VERSION:
            raise refused("这个数据包由更新版本的程序导出。请先把本机的程序升级到最新版本。")
        if (
            manifest.get("package_id") != header.get("package_id")
            or manifest.get("from", {}).get("uuid") != peer.device_uuid
        ):
            raise refused(f"数据包「{path.name}」的内容与封面不一致。")
        package.header = header
        return package

    def import_package(
        self, path: Path | str, job: Progress | None = None, authorize: Authorize | None = None
    ) -> ImportResult:
        """Apply a package from a registered peer, all of it or (when refused) none of it."""
        job = job or _NoProgress()
        package = self.read_package(path)
        manifest = package.manifest
        peer = self.log.peer(manifest["from"]["uuid"])
        assert peer is not None
        if authorize is not None:
            authorize(peer)
        package_id = str(manifest["package_id"])
        already = self.log.package_known(package_id, "in")
        entries = sorted(package.entries, key=lambda e: e.stamp)
        total = len(entries)
        with self.ws.atomic():
            self.log.flush_member_grids()
            self.log.set_applying(True)
            applier = SyncApplier(self.ws.db, self.log, self.ws.device.tag)
            applier.preload(entries)
            for done, entry in enumerate(entries, 1):
                applier.apply(entry)
                if done % _PROGRESS_EVERY == 0:
                    job.check_cancelled()
                    job.report(done, total)
            applier.retry_pending()
            for event in package.events:
                applier.apply_event(event)
            received_audit = AuditStore(self.ws.db, self.ws.device.tag).insert_received(
                package.audit, self.ws.device.tag
            )
            merged_conflicts = sum(self.conflict_store.merge(c) for c in package.conflicts)
            seen = {str(k): int(v) for k, v in manifest["covers"]["seen"].items()}
            self.log.merge_seen(seen)
            self.log.advance_clock(max([applier.max_t(), *seen.values()]))
            self.log.set_applying(False)
            self._fill_blanks(applier.report.fill)
            report: ApplyReport = applier.report
            if not already:
                self.log.record_package(package_id, "in", peer.tag, report.applied, dict(report.inserted))
            merged_seen = dict(peer.seen)
            for device, t in seen.items():
                merged_seen[device] = max(merged_seen.get(device, 0), t)
            self.log.update_peer(
                peer.device_uuid,
                seen=merged_seen,
                needs=[list(n) for n in manifest.get("needs", [])],
                last_import_at=now_text(),
            )
            job.report(total, total)
        counts = Counter(report.inserted) + Counter(report.updated)
        if received_audit:
            counts["audit_log"] = received_audit
        return ImportResult(
            package_id=package_id,
            sender=peer.name,
            already_imported=already,
            received=report.received,
            applied=report.applied,
            known=report.known,
            counts=dict(counts),
            new_conflicts=len(report.conflicts) + (merged_conflicts if not already else 0),
            merged=sum(1 for table, _keep, _alias in report.merged if table in ("residents", "members")),
            pending=report.pending,
        )

    def _audit_to_send(self, seen_t: int) -> list[dict[str, Any]]:
        since = datetime.fromtimestamp(seen_t / 1000) - timedelta(days=1) if seen_t else datetime(2000, 1, 1)
        return AuditStore(self.ws.db, self.ws.device.tag).rows_since(
            self.ws.device.tag, since.isoformat(sep=" ", timespec="seconds")
        )

    def _fill_blanks(self, conflict_uuids: list[str]) -> None:
        """One person entered on two copies, a field blank on one side: keep the value that was given.

        The merge itself keeps the later write (so every copy ends the same); filling the blank is a
        new change of this copy on top of both, which travels like any other.
        """
        for key in conflict_uuids:
            record = self.conflict_store.by_uuid(key)
            if record is None or not record.is_open:
                continue
            current = self.conflict_store.current_value(record)
            if current not in (None, "", []):
                continue
            value = record.value_b if record.value_b not in (None, "", []) else record.value_a
            self.conflict_store.write_value(record, value)
            self.conflict_store.mark_resolved(record.id, {"keep": "filled", "value": value}, "自动补全")
