"""Printable documents through QtGui (monthly summary, notices). Never QtWidgets."""
