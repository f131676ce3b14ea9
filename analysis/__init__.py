"""The scrutiny workbook: a council's Customer Care Strategy, measured and explained to members."""

__version__ = "0.1.0"
