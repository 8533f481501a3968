"""The desk's saves in a loop, for tests/integration/test_crash.py: ``python crash_worker.py DB``.

Each save is one operation, as the desk's 「保存」 runs it: a request registered with a new
resident typed into the same form (request, its intake event, the resident and the audit row in
one transaction), then the request dispatched. It prints the number of each save done and goes
on until it is killed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from xianghe_desk.domain.drafts import RequestDraft, ResidentDraft
from xianghe_desk.operations.requests import register_request
from xianghe_desk.services.accounts import DEMO_PASSWORD, AccountService
from xianghe_desk.services.workspace import Workspace

MARK = "崩溃测试"


def main(path: Path) -> None:
    ws = Workspace.open(path)
    AccountService(ws).sign_in("admin", DEMO_PASSWORD)
    village = ws.villages.in_town(None)[0]
    number = 0
    while True:
        number += 1
        resident = ResidentDraft(name=f"崩溃{_chinese(number)}", village_id=village.id)
        draft = RequestDraft("phone", "social_insurance", f"{MARK}{number}", village.id)
        register_request(ws, draft, new_resident=resident)
        print(number, flush=True)


def _chinese(number: int) -> str:
    digits = "零一二三四五六七八九"
    return "".join(digits[int(d)] for d in str(number))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
