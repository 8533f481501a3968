"""帮助 → 使用说明 (F1): a clerk's day with the desk, step by step, and the keyboard shortcuts.

The text describes what the desk really does; tests/ui/test_help_dialog.py checks that every button,
page and shortcut it names exists, so a renamed button cannot leave the guide behind.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

TITLE = "使用说明"

# (keys, what they do): the shortcut table. The main window's keys are checked against its actions.
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("F1", "打开本使用说明"),
    ("Ctrl+N", "受理登记；在「服务对象」「网格与网格员」「村街」页是新增本页的对象（看「工作」菜单）"),
    ("Ctrl+F", "查找：跳到本页的搜索框；没有搜索框的页面转到「服务工单」的搜索框"),
    ("F5", "刷新当前页"),
    ("Ctrl+1 … Ctrl+9", "按左边栏的顺序转到各页：工作台、服务工单、服务对象……"),
    ("Ctrl+L", "锁定：离开电脑时按一下，回来输入密码继续，没填完的表格不会丢失（「我的账号」菜单）"),
    ("Ctrl+= 或 Ctrl++", "放大文字（整个程序，下次打开仍然有效）"),
    ("Ctrl+-", "缩小文字"),
    ("Ctrl+0", "恢复默认文字大小"),
    ("Alt+W / V / G / Z / H", "打开「工作」「查看」「转到」「我的账号」「帮助」菜单"),
    ("回车 或 双击", "在列表中打开选中的一行"),
    ("Tab / Shift+Tab", "到下一个 / 上一个输入框或按钮"),
    ("Esc", "清空搜索框；在窗口中是取消或关闭"),
)

DIALOG_SHORTCUTS: tuple[tuple[str, str, str], ...] = (
    ("受理登记", "Ctrl+S", "保存"),
    ("受理登记", "Ctrl+Enter", "保存并打印工单"),
    ("服务对象、网格员资料", "Ctrl+S", "保存"),
    ("工单详情", "Ctrl+P", "打印工单"),
    ("工单详情", "F5", "重新读取"),
    ("打印预览", "Ctrl+P", "打印"),
    ("打印预览", "Ctrl+S", "另存为 PDF"),
    ("打印预览", "Ctrl++ / Ctrl+-", "放大 / 缩小页面"),
)

STEPS = """
<h2>一天的工作</h2>

<h3>1. 看工作台</h3>
<p>「工作台」上的方块是今天要心里有数的数：今日新受理、待派单、办理中、今日到期、已超期，
以及本月办结、办结率和满意率。<b>点一下方块</b>，就打开「服务工单」，只列出这些工单。
右边「超期工单」列出最早到期的 50 张，双击打开。窗口底部的「超期 … 张」「今日到期 … 张」也可以点。</p>

<h3>2. 受理登记</h3>
<p>群众来电、来访或从 12345 转来，按 <b>Ctrl+N</b>（或「工作 → 受理登记…」，或「服务工单」页的「受理登记」按钮）。</p>
<ul>
<li>在姓名一栏输入姓名或拼音首字母（如「zs」），从列表中选中已登记的服务对象，电话等会自动带出；
没有登记过的人，可以只填姓名和电话，或勾选「同时登记为新的服务对象」。</li>
<li>选所属村街和网格。选了承办人，保存时就派单；选「暂不派单」，工单留在「待派单」。</li>
<li>选来源渠道、问题类别和紧急程度，写清诉求内容。办理时限按设置自动算出。</li>
<li><b>Ctrl+S</b> 保存；<b>Ctrl+Enter</b> 保存并打印工单。</li>
</ul>

<h3>3. 派单</h3>
<p>在「服务工单」中选中待派单的工单（按住 Ctrl 或 Shift 可选多张），点「派单…」或右键选「派单…」，
选承办人。带「★」的是该网格的网格员，也可输入姓名查找。在工单详情中也可以派单；派错了人可「退回」后重新派单。</p>

<h3>4. 打印工单</h3>
<p>工单详情中点「打印工单」（<b>Ctrl+P</b>）；或在「服务工单」中选中多张后点「打印工单」，每张一页。
「统计报表」页的「打印这些工单」一次打印所有已派单、还没有打印的工单。打印前先显示预览，
可以打印（<b>Ctrl+P</b>）、另存为 PDF（<b>Ctrl+S</b>）或用系统程序打开。工单上有二维码，扫码即可找到工单。</p>

<h3>5. 办理和办结</h3>
<p>承办人开始办理后，在工单详情中点「开始办理」；办完后点「办结」，选择办理方式并写明办理结果。
超期或进展慢的工单可以「督办」；重复登记或群众撤回的可以「撤销」（要写原因）。</p>

<h3>6. 回访</h3>
<p>已办结的工单要回访：在详情中点「回访」，记录回访方式（电话或上门）、满意度和群众意见。
群众不满意或问题没有解决，点「重新办理」，工单回到「办理中」。</p>

<h3>7. 找工单、找人</h3>
<p>按 <b>Ctrl+F</b> 到搜索框。可以输入姓名、拼音首字母、电话号码或工单编号；编号可以只输最后 4 位（如「0401」），
也可以输开头（如「100-K7M3」）。用扫码枪扫工单上的编号，回车后直接打开这张工单。
筛选栏可按镇、村街、网格、承办人、状态、类别、渠道、紧急程度、受理日期和「只看超期」缩小范围，
「清空筛选」恢复显示全部工单。</p>

<h3>8. 月度汇总</h3>
<p>在「统计报表」选择范围（全县、某个镇或村街）和月份，上方是受理数、办结数、办结率、满意率、超期数、
平均办结时长等，点方块可查看对应的工单；下方按村街、类别、渠道、办理方式分列。
「月度汇总 PDF」生成带图表的汇总，可预览、打印；「月度汇总导出 Excel…」把各张表存成 Excel 文件。
「帮办公示」打印村街的网格员和电话公示。</p>

<h3>9. 和村里的电脑交换数据</h3>
<p>在「数据交换 → 数据交换包」中：</p>
<ol>
<li>镇上点「登记村里的电脑…」，把生成的登记文件交给村里；</li>
<li>村里的电脑点「用登记文件加入…」；</li>
<li>以后每次交换：一方选好对方设备，点「为它制作数据包…」存到 U 盘，另一方点「读入数据包…」。
数据包是加密的，U 盘丢了也看不到内容。</li>
</ol>
<p>两边都改过的同一条记录列在「需要决定」中，选「保留本机」或「采用对方」。
「查找可能重复」找出两边各登记了一次的同一个人，「对比并合并…」合并成一条。</p>

<h3>10. 用表格导入导出</h3>
<p>在「数据交换 → 表格导入导出」中，先「下载空白模板…」按列填写，再「选择表格并检查…」（.xlsx 或 .csv）。
程序先列出将新增、更新和不能导入的行及原因，确认后才写入：「全部导入」「只导入正确的行」或「全部不导入，先改表格」。
「导出…」导出的表格和模板的列相同，可以在另一台电脑上导入。</p>

<h3>11. 定期走访</h3>
<p>「走访」页列出这一周该走访的服务对象：孤寡、独居老人每周一次，重病患者每周两次，行动不便、残疾人每两周，
低保、特困每月（周期在「设置 → 走访周期」中修改）。住院的暂停，迁出、去世的不再列出。</p>
<ul>
<li>周一为网格员「打印走访表…」，每人一张纸质名单；交回后点「录入走访表…」，按表上的顺序只用键盘录入。</li>
<li>选中一人点「记录走访…」登记一次走访；走访中发现的需要可以直接转成服务工单。</li>
<li>「服务对象详情」中可以看到这个人的全部走访记录。月度汇总里有走访覆盖率。</li>
<li>国家公布下一年的放假安排后，管理员在「设置 → 节假日」录入；还没办结的工单的办理时限会随之重算。</li>
</ul>

<h3>12. 账号、备份和安全</h3>
<p>每人用自己的账号登录，离开电脑时按 <b>Ctrl+L</b> 锁定；「我的账号 → 修改密码…」改自己的密码。
管理员在「设置 → 账号管理」中「添加账号…」「重设密码…」或「停用」离岗人员的账号。
数据库是加密的，没有密码打不开；请把打印的恢复码锁好。</p>
<ul>
<li>程序每天和关闭时自动备份。「设置 → 备份与恢复」中可以「立即备份」、选一个 U 盘作为「备份文件夹」，
或「恢复所选备份…」（恢复前会列出两边的数量，请核对）。</li>
<li>删除的记录先进「回收站」，可以「恢复」；「彻底删除…」以后就找不回了。</li>
<li>「操作日志」记录谁在什么时候做了什么，可以筛选和「导出 Excel…」。</li>
</ul>
"""


def shortcut_table() -> str:
    rows = "".join(f"<tr><td><b>{keys}</b></td><td>{text}</td></tr>" for keys, text in SHORTCUTS)
    window_rows = "".join(
        f"<tr><td>{window}</td><td><b>{keys}</b></td><td>{text}</td></tr>"
        for window, keys, text in DIALOG_SHORTCUTS
    )
    return (
        "<h2>快捷键</h2>"
        "<table border='1' cellspacing='0' cellpadding='4'>"
        "<tr><th>按键</th><th>作用</th></tr>" + rows + "</table>"
        "<h3>各窗口中的快捷键</h3>"
        "<table border='1' cellspacing='0' cellpadding='4'>"
        "<tr><th>窗口</th><th>按键</th><th>作用</th></tr>" + window_rows + "</table>"
    )


def help_html() -> str:
    """The whole guide as HTML; sizes are relative, so it follows the desk's text size (Ctrl+=)."""
    return f"<h1>{TITLE}</h1>{STEPS}{shortcut_table()}"


class HelpDialog(QDialog):
    """The guide in its own window, left open beside the desk while the clerk follows it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{TITLE} — 香河「这就办」服务台账")
        self._init_browser()
        self._init_layout()
        self._init_size()

    def _init_browser(self) -> None:
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.browser.setHtml(help_html())
        self.browser.setAccessibleName(TITLE)

    def _init_layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setText("关闭")
        layout.addWidget(buttons)

    def _init_size(self) -> None:
        unit = self.fontMetrics().height()
        width, height = 44 * unit, 34 * unit
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        if screen is not None:
            width, height = min(width, int(screen.width() * 0.9)), min(height, int(screen.height() * 0.9))
        self.resize(width, height)

    @classmethod
    def show_help(cls, parent: QWidget | None) -> HelpDialog:
        """Show the guide (the one already open, if any) without blocking the desk."""
        dialog = parent.findChild(cls) if parent is not None else None
        if not isinstance(dialog, cls):
            dialog = cls(parent)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog
