"""Consistent subsets of the real Berka files, for tests that need a small real bank."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

REAL = Path(__file__).resolve().parent.parent / "data" / "berka-pkdd99"
TRANS = "trans_head.asc"
#: Accounts chosen for their quirks: 1 (owner + disponent), 2 (loan), 485 (day out of booking
#: order), 576, 1787 (loan 5314), 2099, 2378, 4034, 4937, 7753.
ACCOUNTS = frozenset({1, 2, 485, 576, 1787, 2099, 2378, 4034, 4937, 7753})


def lines_of(path: Path) -> list[bytes]:
    """The file's lines with their original terminators (CRLF in the real files)."""
    return path.read_bytes().splitlines(keepends=True)


def field_of(line: bytes, index: int) -> int:
    """Integer value of column ``index`` of a data line."""
    return int(line.split(b";")[index].strip(b'"\r\n'))


def _keep(name: str, src: Path, dst: Path, *, column: int, ids: Iterable[int]) -> list[bytes]:
    wanted = set(ids)
    lines = lines_of(src / name)
    kept = [lines[0], *(ln for ln in lines[1:] if field_of(ln, column) in wanted)]
    (dst / name).write_bytes(b"".join(kept))
    return kept[1:]


def make_subset(dst: Path, accounts: Iterable[int] = ACCOUNTS, *, src: Path = REAL) -> Path:
    """Write the real header and rows of every file for ``accounts`` (all districts; the clients,
    dispositions, cards, loans, orders and transactions that belong to them) into ``dst``."""
    accounts = frozenset(accounts)
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src / "district.asc", dst / "district.asc")
    _keep("account.asc", src, dst, column=0, ids=accounts)
    disps = _keep("disp.asc", src, dst, column=2, ids=accounts)
    _keep("client.asc", src, dst, column=0, ids={field_of(ln, 1) for ln in disps})
    _keep("card.asc", src, dst, column=1, ids={field_of(ln, 0) for ln in disps})
    _keep("loan.asc", src, dst, column=1, ids=accounts)
    _keep("order.asc", src, dst, column=1, ids=accounts)
    _keep(TRANS, src, dst, column=1, ids=accounts)
    return dst
