"""Reads for printouts: batches of residents and members by id, and who is posted on a village notice."""

from __future__ import annotations

from xianghe_desk.domain.enums import Action
from xianghe_desk.domain.models import Member, Resident
from xianghe_desk.store.base import TableStore
from xianghe_desk.store.people import _MEMBER_SELECT, _RESIDENT_SELECT, _member, _resident

_CHUNK = 500  # below SQLite's default limit of bound parameters


class ReportStore(TableStore):
    def residents_by_ids(self, ids: list[int]) -> dict[int, Resident]:
        """Residents for a batch of work orders, keyed by id (missing ids are left out)."""
        found: dict[int, Resident] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            marks = ",".join("?" for _ in chunk)
            for row in self._fetch(_RESIDENT_SELECT + f" WHERE r.id IN ({marks})", chunk):
                found[row["id"]] = _resident(row)
        return found

    def follow_up_notes(self, request_ids: list[int]) -> dict[int, str]:
        """群众意见 for a batch of work orders: the note of each request's latest 回访, keyed by
        request id. Requests never followed up, or whose latest follow-up recorded no words,
        are left out (an older follow-up before 重新办理 no longer speaks for the request)."""
        latest: dict[int, str] = {}
        unique = list(dict.fromkeys(request_ids))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            marks = ",".join("?" for _ in chunk)
            rows = self._fetch(
                "SELECT request_id, note FROM request_events"
                f" WHERE action = ? AND request_id IN ({marks}) ORDER BY request_id, at, id",
                [Action.FOLLOW_UP.value, *chunk],
            )
            for row in rows:
                latest[row["request_id"]] = str(row["note"] or "").strip()  # the later one wins
        return {request_id: note for request_id, note in latest.items() if note}

    def members_by_ids(self, ids: list[int]) -> dict[int, Member]:
        """Members (with their village and grids) keyed by id."""
        found: dict[int, Member] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            marks = ",".join("?" for _ in chunk)
            for row in self._fetch(_MEMBER_SELECT + f" WHERE m.id IN ({marks})", chunk):
                found[row["id"]] = _member(row)
        return found

    def village_members(self, village_id: int) -> list[Member]:
        """Active members serving a village: those of its grids, then cadres and helpers placed there.

        Ordered by grid number, then grid heads before members, then name (pinyin).
        """
        rows = self._fetch(
            _MEMBER_SELECT
            + """ WHERE m.deleted_at IS NULL AND m.active = 1 AND (
                    m.village_id = :village
                    OR m.id IN (SELECT mg.member_id FROM member_grids mg JOIN grids g ON g.id = mg.grid_id
                                WHERE g.village_id = :village AND g.deleted_at IS NULL))
                  ORDER BY (SELECT min(g.number || '|' || g.name) FROM member_grids mg
                            JOIN grids g ON g.id = mg.grid_id WHERE mg.member_id = m.id
                            AND g.village_id = :village) IS NULL,
                           (SELECT min(g.number || '|' || g.name) FROM member_grids mg
                            JOIN grids g ON g.id = mg.grid_id WHERE mg.member_id = m.id
                            AND g.village_id = :village),
                           m.role <> 'grid_head', m.name_pinyin, m.id""",
            {"village": village_id},
        )
        return [_member(r) for r in rows]

    def village_grid_names(self, village_id: int) -> dict[int, str]:
        """Grid id → name for the village's grids."""
        rows = self.db.execute(
            "SELECT id, name FROM grids WHERE village_id = ? AND deleted_at IS NULL ORDER BY number, name",
            [village_id],
        ).fetchall()
        return {int(r[0]): str(r[1]) for r in rows}

    def villages_with_members(self, town_id: int) -> list[int]:
        """Ids of the town's villages that have at least one active member (for a town's notices)."""
        rows = self.db.execute(
            """SELECT v.id FROM villages v WHERE v.town_id = ? AND v.deleted_at IS NULL AND v.kind <> 'virtual'
               AND EXISTS (SELECT 1 FROM members m WHERE m.active = 1 AND m.deleted_at IS NULL AND (
                   m.village_id = v.id OR m.id IN (SELECT mg.member_id FROM member_grids mg
                   JOIN grids g ON g.id = mg.grid_id WHERE g.village_id = v.id)))
               ORDER BY v.code IS NULL, v.code, v.name""",
            [town_id],
        ).fetchall()
        return [int(r[0]) for r in rows]
