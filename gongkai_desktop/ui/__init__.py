"""The Qt widgets of the desktop app (the only package besides app.py that imports QtWidgets)."""
