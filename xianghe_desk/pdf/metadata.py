"""The document information every PDF of the desk carries: the program's one name (issue #12)."""

from __future__ import annotations

from xianghe_desk import DISPLAY_NAME, __version__


def doc_info(title: str, author: str = DISPLAY_NAME) -> dict[str, str]:
    """Keyword arguments for a reportlab DocTemplate, e.g. ``BaseDocTemplate(out, **doc_info("服务工单"))``.

    The creator (「创建工具」 in a PDF viewer's properties) is the program and its version; the
    author is the program too, unless a person signs the document (the monthly summary's 制表人).
    """
    return {"title": title, "author": author, "creator": f"{DISPLAY_NAME} {__version__}"}
