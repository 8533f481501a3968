"""Town → village → grid combo boxes that narrow each other, for filter bars and forms."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox

from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.widgets.combos import fill_combo, set_combo_value


class PlacePicker(QObject):
    """Keeps a town combo, a village combo and (optionally) a grid combo consistent.

    ``any_labels`` are the 「全部…」 entries of a filter bar (value None); a form passes None for
    the town and village (a choice is required) and its own label for 「未分网格」.

    Signals:
    changed(): the chosen town, village or grid changed.
    """

    changed = Signal()

    def __init__(
        self,
        ctx: DeskContext,
        town: QComboBox,
        village: QComboBox,
        grid: QComboBox | None = None,
        any_labels: tuple[str | None, str | None, str | None] = ("全部镇", "全部村街", "全部网格"),
        include_virtual: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent or town)
        self.ctx = ctx
        self.town, self.village, self.grid = town, village, grid
        self.any_labels = any_labels
        self.include_virtual = include_virtual
        self._quiet = False
        for combo in (town, village, grid):
            if combo is not None:
                combo.setMinimumContentsLength(6)
                combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.reload_towns()
        town.currentIndexChanged.connect(self._on_town_changed)
        village.currentIndexChanged.connect(self._on_village_changed)
        if grid is not None:
            grid.currentIndexChanged.connect(self._on_grid_changed)

    # ---- values
    def town_id(self) -> int | None:
        return self.town.currentData()

    def village_id(self) -> int | None:
        return self.village.currentData()

    def grid_id(self) -> int | None:
        return self.grid.currentData() if self.grid is not None else None

    def set_place(
        self, town_id: int | None, village_id: int | None = None, grid_id: int | None = None
    ) -> None:
        """Choose a place (None: 「全部」 or the first entry) and emit ``changed`` once."""
        if village_id is not None and town_id is None:
            village = self.ctx.places.village(village_id)
            town_id = village.town_id if village else None
        self._quiet = True
        try:
            set_combo_value(self.town, town_id)
            self._fill_villages()
            set_combo_value(self.village, village_id)
            self._fill_grids()
            if self.grid is not None:
                set_combo_value(self.grid, grid_id)
        finally:
            self._quiet = False
        self.changed.emit()

    # ---- filling
    def reload_towns(self) -> None:
        """Refill all three (after places_changed), keeping what was chosen when it still exists.

        Only the signed-in clerk's towns and villages are offered (issue #9): a village clerk sees
        their own town and village, with no 「全部」 entry that would mean the same.
        """
        towns = self.ctx.towns_in_scope()
        any_town = None if self.ctx.who.limited and len(towns) == 1 else self.any_labels[0]
        fill_combo(self.town, ((t.name, t.id) for t in towns), any_town)
        self._fill_villages()
        self._fill_grids()

    def _fill_villages(self) -> None:
        town_id = self.town_id()
        villages = (
            self.ctx.villages_in_scope(town_id, include_virtual=self.include_virtual)
            if town_id is not None
            else []
        )
        own = bool(self.ctx.who.village_ids) and len(villages) == 1
        fill_combo(self.village, ((v.short_name, v.id) for v in villages), None if own else self.any_labels[1])
        self.village.setEnabled(town_id is not None and len(villages) + (0 if own else 1) > 1)

    def _fill_grids(self) -> None:
        if self.grid is None:
            return
        village_id = self.village_id()
        grids = self.ctx.places.grids(village_id) if village_id is not None else []
        fill_combo(self.grid, ((g.name, g.id) for g in grids), self.any_labels[2])
        self.grid.setEnabled(village_id is not None)

    # ---- slots
    def _on_town_changed(self, _index: int) -> None:
        if self._quiet:
            return
        self._fill_villages()
        self._fill_grids()
        self.changed.emit()

    def _on_village_changed(self, _index: int) -> None:
        if self._quiet:
            return
        self._fill_grids()
        self.changed.emit()

    def _on_grid_changed(self, _index: int) -> None:
        if not self._quiet:
            self.changed.emit()
