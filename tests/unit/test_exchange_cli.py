"""The exchange round trip from the command line, in the contract's forms."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xianghe_desk import cli
from xianghe_desk.services.workspace import Workspace


@pytest.fixture(autouse=True)
def _no_log_file(monkeypatch: pytest.MonkeyPatch) -> None:
    # In-process runs: the log file handler main() installs would stay open between calls.
    monkeypatch.setattr(cli, "_setup_logging", lambda: None)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_register_join_export_import_and_refusals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    town, laptop = str(tmp_path / "town.db"), str(tmp_path / "laptop.db")
    key = str(tmp_path / "laptop.key")
    code, out, _err = _run(capsys, "exchange", "register-device", "--db", town, "--name", "王刘圈村电脑",
                           "--village", "王刘圈村", "-o", key)  # fmt: skip
    assert code == 0 and "王刘圈村" in out
    tag = re.search(r"设备编号 (\w{4})", out).group(1)
    code, out, _err = _run(capsys, "exchange", "join", "--db", laptop, key)
    assert code == 0 and tag in out
    first = str(tmp_path / "first.xhpkg")
    assert _run(capsys, "exchange", "export", "--db", town, "--for", tag, "-o", first)[0] == 0
    code, out, _err = _run(capsys, "exchange", "import", "--db", laptop, first)
    assert code == 0 and "已导入" in out

    # The laptop registers a request; its number travels unchanged.
    with Workspace.open(laptop) as ws:
        from xianghe_desk.domain.drafts import RequestDraft
        from xianghe_desk.services.places import PlaceService
        from xianghe_desk.services.requests import RequestService

        village = PlaceService(ws).resolve_village("王刘圈村")
        number = RequestService(ws).register(RequestDraft("phone", "repairs", "修门", village.id)).number
        town_tag = ws.db.execute("SELECT tag FROM exchange_peers").fetchone()[0]
    back = str(tmp_path / "back.xhpkg")
    assert _run(capsys, "exchange", "export", "--db", laptop, "--for", town_tag, "-o", back)[0] == 0
    assert _run(capsys, "exchange", "import", "--db", town, back)[0] == 0
    with Workspace.open(town) as ws:
        assert ws.db.execute("SELECT count(*) FROM requests WHERE number = ?", [number]).fetchone()[0] == 1

    # Damaged, truncated and misdirected packages: exit 1, a Chinese reason, nothing written.
    data = Path(back).read_bytes()
    broken = tmp_path / "broken.xhpkg"
    for damaged in (data[:-1] + bytes([data[-1] ^ 1]), data[: len(data) // 2]):
        broken.write_bytes(damaged)
        code, _out, err = _run(capsys, "exchange", "import", "--db", town, str(broken))
        assert code == 1 and "没有导入任何数据" in err and "Traceback" not in err
    code, _out, err = _run(capsys, "exchange", "import", "--db", laptop, back)
    assert code == 1 and "不是发给本机" in err
    code, _out, err = _run(
        capsys, "exchange", "export", "--db", town, "--for", "XXXX", "-o", str(tmp_path / "x")
    )
    assert code == 1 and "没有登记过设备" in err

    code, out, _err = _run(capsys, "exchange", "devices", "--db", town)
    assert code == 0 and tag in out and "王刘圈村电脑" in out
    code, out, _err = _run(capsys, "exchange", "conflicts", "--db", town)
    assert code == 0 and "没有需要处理的冲突" in out
    code, _out, err = _run(capsys, "exchange", "resolve", "--db", town, "99", "--keep", "mine")
    assert code == 1 and "没有编号为 99 的冲突" in err


def test_conflicts_are_listed_and_resolved_from_the_command_line(tmp_path: Path, capsys) -> None:
    town, laptop = str(tmp_path / "town.db"), str(tmp_path / "laptop.db")
    key = str(tmp_path / "k.key")
    out = _run(
        capsys,
        "exchange",
        "register-device",
        "--db",
        town,
        "--name",
        "甲",
        "--village",
        "王刘圈村",
        "-o",
        key,
    )[1]
    tag = re.search(r"设备编号 (\w{4})", out).group(1)
    _run(capsys, "exchange", "join", "--db", laptop, key)
    with Workspace.open(town) as ws:
        town_tag = ws.device.tag
        ws.settings.set("hotlines", ["12345", "0316-1"])
    with Workspace.open(laptop) as ws:
        ws.settings.set("hotlines", ["12345", "0316-2"])
    _run(capsys, "exchange", "export", "--db", laptop, "--for", town_tag, "-o", str(tmp_path / "up.xhpkg"))
    code, out, _err = _run(capsys, "exchange", "import", "--db", town, str(tmp_path / "up.xhpkg"))
    assert code == 0 and "需要您决定" in out
    code, out, _err = _run(capsys, "exchange", "conflicts", "--db", town)
    assert "0316-1" in out and "0316-2" in out
    conflict_id = re.search(r"\[(\d+)\]", out).group(1)
    code, out, _err = _run(capsys, "exchange", "resolve", "--db", town, conflict_id, "--keep", "theirs")
    assert code == 0 and "采用了对方的值" in out
    with Workspace.open(town) as ws:
        assert ws.settings.get("hotlines") == ["12345", "0316-2"]
    assert tag
