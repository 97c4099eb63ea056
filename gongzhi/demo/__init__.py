"""Demo data: every demo builder of the platform, one module per app (`gongzhi.demo.<app>`).

The top layer: it may import every app, and no app imports it, so no domain app depends on
another app's demo (docs/architecture.md "Layers")."""
