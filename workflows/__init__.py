"""The training office's business: BPMN/DMN processes, their service-task handlers and domain records.

May import `engine`; never Flask or the web.
"""
