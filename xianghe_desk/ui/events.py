"""One DataEvents object: every finished write emits the matching signal, and views refresh."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class DataEvents(QObject):
    """Signals:
    requests_changed(list): ids of changed requests (empty list: many or unknown, reload all).
    residents_changed(): residents were added or changed.
    members_changed(): grid members were added or changed.
    places_changed(): villages or grids were added or changed.
    settings_changed(): lists or settings changed.
    users_changed(): accounts were added or changed.
    visits_changed(): care visits, visit plans or residents' status changed (issue #11).
    """

    requests_changed = Signal(list)
    residents_changed = Signal()
    members_changed = Signal()
    places_changed = Signal()
    settings_changed = Signal()
    users_changed = Signal()
    visits_changed = Signal()

    def everything_changed(self) -> None:
        self.requests_changed.emit([])
        self.residents_changed.emit()
        self.members_changed.emit()
        self.places_changed.emit()
        self.settings_changed.emit()
        self.visits_changed.emit()
