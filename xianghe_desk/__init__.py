"""xianghe-desk: 香河「这就办」服务台账 — the township clerks' desk for the county's service requests."""

__version__ = "0.1.0"
