"""Instance-only serialization: the JSON of a running process without its spec (specs come from the cache)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from copy import deepcopy
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from . import spiff_defects

SERIALIZER_VERSION = VERSION

_specs: ContextVar[tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]] | None] = ContextVar(
    "fagflyt_specs", default=None
)


class InstanceOnlyConverter(BpmnWorkflowConverter):
    """Writes a workflow without `spec`/`subprocess_specs`; reads it back with specs from the cache."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict:
        """Return the workflow state, naming its spec instead of embedding it."""
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["spec_name"] = workflow.spec.name
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict) -> BpmnWorkflow:
        """Rebuild a workflow from its state and the specs set by `specs_for_restore`."""
        specs = _specs.get()
        if specs is None:
            raise RuntimeError("deserializing an instance needs its specs (use specs_for_restore)")
        spec, subprocess_specs = specs
        if dct.get("spec_name", spec.name) != spec.name:
            raise RuntimeError(f"instance belongs to {dct['spec_name']!r}, not {spec.name!r}")
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


@contextmanager
def specs_for_restore(spec: BpmnProcessSpec, subprocess_specs: dict) -> Iterator[None]:
    """Provide the specs an instance is restored against, for this thread only."""
    token = _specs.set((spec, subprocess_specs))
    try:
        yield
    finally:
        _specs.reset(token)


def _build_serializer() -> BpmnWorkflowSerializer:
    config = deepcopy(SPIFF_CONFIG)
    config[BpmnWorkflow] = InstanceOnlyConverter
    registry = BpmnWorkflowSerializer.configure(config)
    spiff_defects.register_data_types(registry)
    return BpmnWorkflowSerializer(registry)


class InstanceSerializer:
    """Turns a live workflow into compact JSON text and back, given its cached specs."""

    version = SERIALIZER_VERSION

    def __init__(self) -> None:
        spiff_defects.apply_all()
        self._serializer = _build_serializer()

    @property
    def registry(self):  # type: ignore[no-untyped-def]
        """The converter registry (SpiffWorkflow's spec diff compares specs through it)."""
        return self._serializer.registry

    def dumps(self, workflow: BpmnWorkflow) -> str:
        """Serialize the workflow state (without specs) to JSON text."""
        return self._serializer.serialize_json(workflow)

    def loads(self, text: str, spec: BpmnProcessSpec, subprocess_specs: dict) -> BpmnWorkflow:
        """Restore a workflow from `dumps` output against the given specs."""
        dct = json.loads(text)
        self._serializer.migrate(dct)
        with specs_for_restore(spec, subprocess_specs):
            workflow = self._serializer.from_dict(dct)
        spiff_defects.unalias_after_load(workflow)
        return workflow
