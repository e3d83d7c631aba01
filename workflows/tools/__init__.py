"""Authoring tools for the shipped BPMN files (not used at run time)."""
