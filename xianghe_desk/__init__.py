"""xianghe-desk: 香河「这就办」服务台账 — the township clerks' desk for the county's service requests."""

__version__ = "0.1.0"

# The program's one name, as clerks see it: window, 关于, PDF metadata, the installers' menu
# entries and shortcuts (installer/; tests/unit/test_installer.py keeps those in step).
DISPLAY_NAME = "香河「这就办」服务台账"
