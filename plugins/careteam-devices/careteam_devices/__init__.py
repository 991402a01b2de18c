"""Assistive-device checklists for CareTeam (plugin name "devices")."""
