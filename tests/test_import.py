"""``mlopsgen import`` (issue 17, part 1): definitions read back into blueprints that render them again.

Round trips, all offline: every example blueprint and every blueprint the hypothesis generator draws
(render → import → render gives the same definition, code locations normalised), and AWS's abalone seed
pipeline built with the pinned SageMaker SDK (tests/support/sdk_seed_abalone.py) imports, validates and
renders back to an equal definition; with the uploaded files fetched (a stand-in for S3) generated
blueprints come back exactly, content addresses included, Clarify checks among them (read from their
analysis configurations). What the definition does not hold (without --download, a Clarify check's
settings and a framework processor's runproc.sh) must be refused with findings
naming the step and the JSON path, never written silently. ``MLOPSGEN_IMPORT_EXAMPLES`` sets how many
generated blueprints (default 100).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import mlopsgen
from mlopsgen.cli import app
from mlopsgen.import_command import code_for_render, differences, normalise, run_cli, run_import, verify
from mlopsgen.importing import import_definition

from .conftest import BLUEPRINTS, ROOT
from .support.blueprint_strategy import blueprints

EXAMPLES = int(os.environ.get("MLOPSGEN_IMPORT_EXAMPLES", "100"))
DEFINITION = "model-build/pipeline-definition.json"

UNSUPPORTED_KINDS = {"clarify_check"}
"""Step types the importer refuses without --download (MLG603: their settings are in S3, not in the definition)."""

EXPECTED_LOSS = {
    "credit": {
        ("MLG603", "Steps[CheckApplicantDataBias].Arguments.ProcessingInputs[analysis_config]"),
        ("MLG603", "Steps[EvaluateCreditModel].Arguments.AppSpecification"),
    }
}
"""Examples using constructs the importer does not read yet, and exactly the findings they give."""


def _definition(blueprint: Any, code: dict[str, bytes] | None = None, name: str | None = None) -> str:
    result = mlopsgen.render(blueprint, code=code, name=name)
    assert result.ok, [d.format() for d in result.diagnostics]
    text: str = result.files[DEFINITION]
    return text


def _rerender(text: str, outcome_code: list[Any]) -> dict[str, Any]:
    """Render an imported blueprint's text, with placeholder code, to its definition (as data)."""
    code = code_for_render(outcome_code, {})
    return dict(json.loads(_definition(yaml.safe_load(text), code, "imported.yaml")))


def _code_paths(definition: Any, code: list[Any], manifest: dict[str, Any] | None = None) -> Any:
    uris = {c.s3_uri: c.path for c in code}
    if manifest:
        uris = {f["s3_uri"]: f["path"] for f in manifest.get("files", []) + manifest.get("source_dirs", [])}
    text = json.dumps(definition, sort_keys=True)
    for uri, path in uris.items():
        text = text.replace(json.dumps(uri), json.dumps(f"<code:{path}>"))
    return json.loads(text)


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=[b.stem for b in BLUEPRINTS])
def test_examples_round_trip(blueprint: Path) -> None:
    text = _definition(blueprint)
    outcome = run_import(text, f"{blueprint.stem}.json", blueprint.name)
    found = {(d.code, d.path) for d in outcome.diagnostics}
    if blueprint.stem in EXPECTED_LOSS:
        assert found == EXPECTED_LOSS[blueprint.stem]
        return
    assert found == set(), [d.format() for d in outcome.diagnostics]
    # Independently of verify(): the written text renders the same definition, code files aside.
    again = mlopsgen.render(
        yaml.safe_load(outcome.text),
        code=code_for_render(outcome.code, {}),
        name="imported.yaml",
    )
    assert again.ok, [d.format() for d in again.diagnostics]
    manifest = json.loads(again.files["model-build/code-manifest.json"])
    assert _code_paths(json.loads(again.files[DEFINITION]), [], manifest) == _code_paths(json.loads(text), outcome.code)


def test_imported_abalone_reads_like_the_example() -> None:
    """Readable: definition order, references as ${...}, defaults left out, short forms used."""
    text = _definition(ROOT / "blueprints" / "abalone.yaml")
    data = yaml.safe_load(run_import(text, "abalone.json", "abalone.yaml").text)
    original = yaml.safe_load((ROOT / "blueprints" / "abalone.yaml").read_text())
    assert list(data["pipeline"]["parameters"]) == list(original["pipeline"]["parameters"])
    assert [s["name"] for s in data["pipeline"]["steps"]] == [s["name"] for s in original["pipeline"]["steps"]]
    train = data["pipeline"]["steps"][1]
    assert train["channels"]["train"] == {
        "source": "${steps.PreprocessAbaloneData.outputs.train}",
        "content_type": "text/csv",
    }
    assert "max_runtime_seconds" not in train and "input_mode" not in train  # the defaults (3600, File)
    assert train["hyperparameters"]["num_round"] == 50 and train["hyperparameters"]["eta"] == 0.2
    assert train["hyperparameters"]["objective"] == "reg:squarederror"
    register = data["pipeline"]["steps"][-1]
    assert register["model_from"] == "TrainAbaloneModel"
    assert "environment" not in register and "model_package_group" not in register
    assert data["pipeline"]["steps"][0]["outputs"]["train"] == "/opt/ml/processing/train"
    assert data["project"] == {k: original["project"][k] for k in ("name", "id", "region", "account")}


# --- the SDK-built seed pipeline -----------------------------------------------------------------------

_OFFLINE = (
    "import socket, runpy, sys\n"
    "def refuse(*a, **k):\n    raise OSError('network access attempted')\n"
    "socket.socket.connect = refuse\nsocket.getaddrinfo = refuse\n"
    "sys.argv = ['sdk_seed_abalone.py']\n"
    "runpy.run_path('tests/support/sdk_seed_abalone.py', run_name='__main__')\n"
)


@pytest.fixture(scope="module")
def seed_definition() -> str:
    proc = subprocess.run([sys.executable, "-c", _OFFLINE], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_sdk_seed_pipeline_imports_validates_and_renders_back(seed_definition: str) -> None:
    definition = json.loads(seed_definition)
    overrides = {"project_name": "abalone", "project_id": "p-abc123def456"}
    outcome = run_import(seed_definition, "seed.json", "abalone.yaml", overrides=overrides)
    assert outcome.diagnostics == [], [d.format() for d in outcome.diagnostics]
    data = yaml.safe_load(outcome.text)
    assert mlopsgen.validate(data, code=code_for_render(outcome.code, {})) == []
    rendered = _rerender(outcome.text, outcome.code)
    manifest_uris = {  # normalisation 1: code files live at mlopsgen's content addresses
        c.s3_uri: c.path for c in outcome.code
    }
    assert sorted(manifest_uris.values()) == ["code/evaluate.py", "code/preprocess.py"]
    result = mlopsgen.render(data, code=code_for_render(outcome.code, {}), name="abalone.yaml")
    manifest = json.loads(result.files["model-build/code-manifest.json"])
    ours, theirs = _code_paths(rendered, [], manifest), _code_paths(definition, outcome.code)
    message = "Steps[CheckMSEAbaloneEvaluation].Arguments.ElseSteps[AbaloneMSEFail].Arguments.ErrorMessage"
    assert [path for path, _, _ in differences(theirs, ours)] == [
        f"{message}.Std:Join.On",  # " " in the SDK's, "" in ours
        f"{message}.Std:Join.Values[0]",  # "Execution failed due to MSE >" and the same with the space
    ]
    assert normalise(ours, {}) == normalise(theirs, {})
    steps = {s["name"]: s for s in data["pipeline"]["steps"]}
    assert steps["RegisterAbaloneModel"]["model_package_group"] == "AbalonePackageGroup"
    # normalisation 2: a Std:Join on " " is written as text (joined on "" when rendered: the same value)
    assert steps["AbaloneMSEFail"]["message"] == "Execution failed due to MSE > ${params.MseThreshold}"
    assert steps["CheckMSEAbaloneEvaluation"]["else"] == ["AbaloneMSEFail"]


def test_a_difference_in_the_seed_pipeline_is_reported_with_its_json_path(seed_definition: str) -> None:
    """The verification is not vacuous: a definition value the blueprint cannot carry is found by path."""
    definition = json.loads(seed_definition)
    preprocess = definition["Steps"][0]["Arguments"]
    preprocess["ProcessingInputs"] = [
        {**i, "S3Input": {**i["S3Input"], "S3InputMode": "Pipe"}} for i in preprocess["ProcessingInputs"]
    ]
    overrides = {"project_name": "abalone", "project_id": "p-abc123def456"}
    outcome = run_import(json.dumps(definition, indent=2), "seed.json", "abalone.yaml", overrides=overrides)
    assert [(d.code, d.path) for d in outcome.diagnostics] == [
        ("MLG606", "Steps[PreprocessAbaloneData].Arguments.ProcessingInputs[code].S3Input.S3InputMode")
    ]
    assert outcome.diagnostics[0].pos is not None and outcome.diagnostics[0].pos.line > 1


# --- generated blueprints ---------------------------------------------------------------------------------


def _unsupported(blueprint: dict[str, Any]) -> bool:
    return any(
        s["type"] in UNSUPPORTED_KINDS or (s["type"] == "processing" and "source_dir" in s)
        for s in blueprint["pipeline"]["steps"]
    )


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(drawn=blueprints())
def test_generated_blueprints_round_trip(drawn: tuple[dict[str, Any], dict[str, bytes]]) -> None:
    blueprint, code = drawn
    note("blueprint:\n" + yaml.safe_dump(blueprint, sort_keys=False, allow_unicode=True))
    text = _definition(blueprint, code)
    outcome = run_import(text, "generated.json", "generated.yaml")
    note("imported:\n" + outcome.text)
    if _unsupported(blueprint):  # refused, with findings, never written silently
        assert outcome.diagnostics, "an unsupported construct was imported without a finding"
        assert {d.code for d in outcome.diagnostics} <= {"MLG600", "MLG603"}, [d.format() for d in outcome.diagnostics]
        return
    assert outcome.diagnostics == [], [d.format() for d in outcome.diagnostics]
    rendered = _rerender(outcome.text, outcome.code)
    assert verify(import_definition(json.loads(text)), json.loads(text), "generated.yaml", {}) == []
    assert [s["Name"] for s in rendered["Steps"]] == [s["Name"] for s in json.loads(text)["Steps"]]


def _s3_store(blueprint: Any, code: dict[str, bytes]) -> tuple[str, dict[str, bytes]]:
    """The definition and what CI would have uploaded for it (S3 URI → bytes), from a render."""
    from mlopsgen.runtime.sourcedir import compress, pack_tar

    result = mlopsgen.render(blueprint, code=code, name="generated.yaml")
    assert result.ok, [d.format() for d in result.diagnostics]
    manifest = json.loads(result.files["model-build/code-manifest.json"])
    store = {f["s3_uri"]: code[f["path"]] for f in manifest["files"]}
    for bundle in manifest.get("source_dirs", []):
        files = sorted((f["path"], code[f"{bundle['path']}/{f['path']}"]) for f in bundle["files"])
        store[bundle["s3_uri"]] = compress(pack_tar(files))
    for helper in manifest.get("helpers", []):
        content = result.files[f"model-build/{helper['path']}"]
        store[helper["s3_uri"]] = content.encode() if isinstance(content, str) else content
    return str(result.files[DEFINITION]), store


def _fetcher(store: dict[str, bytes]) -> Any:
    from mlopsgen.import_command import unpack

    def fetch(files: list[Any]) -> tuple[dict[str, bytes], list[str]]:
        got: dict[str, bytes] = {}
        failed: list[str] = []
        for f in files:
            if f.s3_uri not in store:  # as download_code reports a missing object
                failed.append(f"{f.s3_uri}: NoSuchKey")
                continue
            got.update(unpack(store[f.s3_uri], f.path) if f.folder else {f.path: store[f.s3_uri]})
        return got, failed

    return fetch


def test_generated_blueprints_round_trip_exactly_with_their_code_downloaded() -> None:
    """With the uploaded files fetched (a stand-in for S3), nothing is normalised: the imported blueprint,
    rendered with the fetched files, gives the very definition back (content addresses included). Clarify
    checks are read from their downloaded analysis configurations: none of the drawn blueprints is refused,
    and some of them have Clarify checks (counted, so the assertion cannot pass by never drawing one)."""
    tally = {"examples": 0, "clarify": 0, "refused": 0}

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(drawn=blueprints())
    def check(drawn: tuple[dict[str, Any], dict[str, bytes]]) -> None:
        blueprint, code = drawn
        note("blueprint:\n" + yaml.safe_dump(blueprint, sort_keys=False, allow_unicode=True))
        text, store = _s3_store(blueprint, code)
        outcome = run_import(text, "generated.json", "generated.yaml", fetch=_fetcher(store))
        note("imported:\n" + outcome.text)
        tally["examples"] += 1
        tally["clarify"] += any(s["type"] == "clarify_check" for s in blueprint["pipeline"]["steps"])
        tally["refused"] += bool(outcome.diagnostics)
        assert outcome.diagnostics == [], [d.format() for d in outcome.diagnostics]
        again = mlopsgen.render(yaml.safe_load(outcome.text), code=outcome.fetched, name="generated.yaml")
        assert again.ok, [d.format() for d in again.diagnostics]
        assert json.loads(again.files[DEFINITION]) == json.loads(text)

    check()
    assert tally["refused"] == 0, tally
    assert tally["clarify"] > 0 or EXAMPLES < 20, tally


def _credit_store() -> tuple[str, dict[str, bytes]]:
    """The credit example's definition and what its CI uploads (the manifest's code, source folder, helpers)."""
    from mlopsgen.runtime.sourcedir import compress, pack_tar

    folder = ROOT / "blueprints"
    result = mlopsgen.render(folder / "credit.yaml")
    assert result.ok, [d.format() for d in result.diagnostics]
    manifest = json.loads(result.files["model-build/code-manifest.json"])
    store = {f["s3_uri"]: (folder / f["path"]).read_bytes() for f in manifest["files"]}
    for bundle in manifest["source_dirs"]:
        files = sorted((f["path"], (folder / bundle["path"] / f["path"]).read_bytes()) for f in bundle["files"])
        store[bundle["s3_uri"]] = compress(pack_tar(files))
    for helper in manifest["helpers"]:
        store[helper["s3_uri"]] = result.files[f"model-build/{helper['path']}"].encode()
    return str(result.files[DEFINITION]), store


def test_credit_example_imports_with_download_and_renders_back_equal() -> None:
    """Its Clarify check (data bias) and framework processor are read from what CI uploaded; the drift
    baseline naming the check's monitoring configuration comes back as ``clarify_check``."""
    text, store = _credit_store()
    outcome = run_import(text, "credit.json", "credit.yaml", fetch=_fetcher(store))
    assert outcome.diagnostics == [], [d.format() for d in outcome.diagnostics]
    imported = yaml.safe_load(outcome.text)
    steps = {s["name"]: s for s in imported["pipeline"]["steps"]}
    credit = yaml.safe_load((ROOT / "blueprints" / "credit.yaml").read_text())
    original = {s["name"]: s for s in credit["pipeline"]["steps"]}
    check = steps["CheckApplicantDataBias"]
    for key in ("check", "dataset", "label", "headers", "bias", "skip_check", "register_new_baseline"):
        assert check[key] == original["CheckApplicantDataBias"][key], key
    baselines = steps["RegisterCreditModel"]["drift_check_baselines"]
    assert baselines["bias_config_file"] == {"clarify_check": "CheckApplicantDataBias"}
    again = mlopsgen.render(imported, code=outcome.fetched, name="credit.yaml")
    assert again.ok, [d.format() for d in again.diagnostics]
    assert json.loads(again.files[DEFINITION]) == json.loads(text)


# --- the command ------------------------------------------------------------------------------------------

GENERATED = ROOT / "generated"


def test_cli_refuses_a_lossy_import_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "credit.yaml"
    result = CliRunner().invoke(
        app, ["import", str(GENERATED / "credit" / DEFINITION), "-o", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 1
    assert "MLG603" in result.output and "Steps[CheckApplicantDataBias]" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_cli_accept_loss_writes_the_blueprint_and_still_exits_1(tmp_path: Path) -> None:
    out = tmp_path / "credit.yaml"
    args = ["import", str(GENERATED / "credit" / DEFINITION), "-o", str(out), "--accept-loss"]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 1
    assert yaml.safe_load(out.read_text())["project"]["name"] == "credit"


def test_cli_usage_errors_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["import", "-o", str(tmp_path / "x.yaml")]).exit_code == 2
    both = ["import", str(GENERATED / "abalone" / DEFINITION), "--pipeline", "p", "-o", str(tmp_path / "x.yaml")]
    assert runner.invoke(app, both).exit_code == 2


def test_cli_bad_json_is_a_positioned_diagnostic(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"Steps": [\n  oops\n]}\n')
    result = CliRunner().invoke(app, ["import", str(bad), "-o", str(tmp_path / "x.yaml")])
    assert result.exit_code == 1
    assert f"{bad}:2:3: MLG605 not JSON" in result.output
    assert not (tmp_path / "x.yaml").exists()


def test_cli_does_not_overwrite_without_force(tmp_path: Path) -> None:
    out = tmp_path / "abalone.yaml"
    out.write_text("mine\n")
    args = ["import", str(GENERATED / "abalone" / DEFINITION), "-o", str(out)]
    assert CliRunner().invoke(app, args).exit_code == 1
    assert out.read_text() == "mine\n"
    assert CliRunner().invoke(app, [*args, "--force"]).exit_code == 0
    assert out.read_text() != "mine\n"


def _stubbed(service: str) -> tuple[Any, Any]:
    import boto3
    from botocore.stub import Stubber

    client = boto3.client(service, region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    return client, Stubber(client)


def test_pipeline_is_read_with_describe_pipeline_and_code_is_downloaded_into_place(tmp_path: Path) -> None:
    """--pipeline and --download against botocore's Stubber; with the real code files in place, the written
    blueprint renders the very definition it came from (the same bytes give the same content addresses)."""
    import io

    from botocore.response import StreamingBody

    text = (GENERATED / "abalone" / DEFINITION).read_text()
    sagemaker, sm_stub = _stubbed("sagemaker")
    sm_stub.add_response(
        "describe_pipeline",
        {"PipelineArn": "arn:aws:sagemaker:eu-west-1:111111111111:pipeline/abalone", "PipelineDefinition": text},
        {"PipelineName": "abalone-p-abc123def456"},
    )
    s3, s3_stub = _stubbed("s3")
    manifest = json.loads((GENERATED / "abalone" / "model-build" / "code-manifest.json").read_text())
    for f in sorted(manifest["files"], key=lambda f: f["path"].rsplit("/", 1)[-1]):
        body = (ROOT / "blueprints" / f["path"]).read_bytes()
        bucket, key = f["s3_uri"].removeprefix("s3://").split("/", 1)
        s3_stub.add_response(
            "get_object", {"Body": StreamingBody(io.BytesIO(body), len(body))}, {"Bucket": bucket, "Key": key}
        )
    out = tmp_path / "abalone.yaml"
    with sm_stub, s3_stub:
        code = run_cli(
            None,
            "abalone-p-abc123def456",
            out,
            {},
            accept_loss=False,
            download=True,
            force=False,
            sagemaker=sagemaker,
            s3=s3,
        )
    sm_stub.assert_no_pending_responses()
    s3_stub.assert_no_pending_responses()
    assert code == 0
    assert (tmp_path / "code" / "preprocess.py").read_bytes() == (
        ROOT / "blueprints/pipelines/abalone/preprocess.py"
    ).read_bytes()
    again = mlopsgen.render(out)
    assert again.ok, [d.format() for d in again.diagnostics]
    assert json.loads(again.files[DEFINITION]) == json.loads(text)


def test_a_downloaded_file_never_replaces_the_users_silently(tmp_path: Path) -> None:
    import io

    from botocore.response import StreamingBody

    text = (GENERATED / "abalone" / DEFINITION).read_text()
    (definition := tmp_path / "definition.json").write_text(text)
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "evaluate.py").write_text("mine\n")
    s3, stub = _stubbed("s3")
    manifest = json.loads((GENERATED / "abalone" / "model-build" / "code-manifest.json").read_text())
    for f in sorted(manifest["files"], key=lambda f: f["path"].rsplit("/", 1)[-1]):
        body = (ROOT / "blueprints" / f["path"]).read_bytes()
        bucket, key = f["s3_uri"].removeprefix("s3://").split("/", 1)
        stub.add_response(
            "get_object", {"Body": StreamingBody(io.BytesIO(body), len(body))}, {"Bucket": bucket, "Key": key}
        )
    out = tmp_path / "abalone.yaml"
    with stub:
        code = run_cli(definition, None, out, {}, accept_loss=False, download=True, force=False, s3=s3)
    assert code == 1
    assert (tmp_path / "code" / "evaluate.py").read_text() == "mine\n"
    assert not out.exists() and not (tmp_path / "code" / "preprocess.py").exists()


def test_pipeline_that_cannot_be_read_is_one_line_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sagemaker, stub = _stubbed("sagemaker")
    stub.add_client_error("describe_pipeline", "ResourceNotFound", "Pipeline does not exist")
    with stub:
        code = run_cli(
            None, "nope", tmp_path / "x.yaml", {}, accept_loss=False, download=False, force=False, sagemaker=sagemaker
        )
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("pipeline:nope:1:1: MLG609 cannot read the pipeline") and "Traceback" not in err
    assert not (tmp_path / "x.yaml").exists()


# --- definitions mlopsgen did not write -------------------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["", "x", "${x}", "s3://b/k"]),
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.sampled_from(["Get", "Std:Join", "A"]), inner, max_size=2)
    ),
    max_leaves=4,
)


def _nodes(node: Any) -> list[Any]:
    found = [node] if isinstance(node, dict | list) and node else []
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    for child in children:
        found += _nodes(child)
    return found


@settings(
    max_examples=max(EXAMPLES // 2, 20),
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # shrinking a crash here takes minutes; the draw is printed
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(drawn=blueprints(), data=st.data())
def test_altered_definitions_never_crash_and_never_import_silently_wrong(
    drawn: tuple[dict[str, Any], dict[str, bytes]], data: st.DataObject
) -> None:
    """Any definition gives findings or a blueprint proven to render it back: never an exception."""
    blueprint, code = drawn
    definition = json.loads(_definition(blueprint, code))
    for _ in range(data.draw(st.integers(1, 3))):
        node = data.draw(st.sampled_from(_nodes(definition)))
        if isinstance(node, list):
            node[data.draw(st.integers(0, len(node) - 1))] = data.draw(_JSON)
        else:
            key = data.draw(st.sampled_from(sorted(node)))
            if data.draw(st.booleans()):
                del node[key]
            else:
                node[key] = data.draw(_JSON)
    text = json.dumps(definition, indent=2)
    outcome = run_import(text, "altered.json", "altered.yaml")
    for d in outcome.diagnostics:
        assert d.code.startswith("MLG6"), d.format()
    if not outcome.diagnostics:  # then it was verified: rendering it gives the altered definition back
        assert verify(import_definition(definition), definition, "altered.yaml", {}) == []


def test_an_unexpected_step_shape_is_a_finding_at_the_step() -> None:
    definition = {"Version": "2020-12-01", "Steps": [{"Name": "Prep", "Type": "Processing", "Arguments": []}]}
    outcome = run_import(json.dumps(definition, indent=2), "odd.json", "odd.yaml")
    assert [(d.code, d.path) for d in outcome.diagnostics] == [("MLG602", "Steps[Prep]")]
    assert outcome.diagnostics[0].format().startswith("odd.json:5:7: MLG602 Steps[Prep]: unexpected shape")


def test_literal_text_that_looks_like_a_reference_is_refused() -> None:
    """A blueprint would read "${x}" as a reference: the value cannot be carried, so it is a finding."""
    text = _definition(ROOT / "blueprints" / "abalone.yaml")
    definition = json.loads(text)
    definition["Steps"][0]["Arguments"]["AppSpecification"]["ContainerArguments"][0] = "${HOME}"
    outcome = run_import(json.dumps(definition), "abalone.json", "abalone.yaml")
    assert [(d.code, d.path) for d in outcome.diagnostics] == [
        ("MLG601", "Steps[PreprocessAbaloneData].Arguments.AppSpecification.ContainerArguments[0]")
    ]


def test_script_mode_source_archive_is_downloaded_unpacked_and_renders_back_exactly(tmp_path: Path) -> None:
    from io import BytesIO

    from botocore.response import StreamingBody

    from mlopsgen.runtime.sourcedir import compress, pack_tar

    sources = {"train.py": b"print('train')\n", "lib/util.py": b"X = 1\n", "requirements.txt": b"numpy\n"}
    blueprint = {
        "version": 2,
        "project": {"name": "script", "id": "p-script1", "region": "eu-west-1", "account": "111111111111"},
        "pipeline": {
            "steps": [
                {
                    "name": "Train",
                    "type": "training",
                    "image": {"framework": "sklearn", "version": "1.2-1"},
                    "entry_point": "train.py",
                    "source_dir": "src/trainer",
                }
            ]
        },
    }
    text = _definition(blueprint, {f"src/trainer/{k}": v for k, v in sources.items()})
    archive_uri = json.loads(text)["Steps"][0]["Arguments"]["HyperParameters"]["sagemaker_submit_directory"]
    archive = compress(pack_tar(sorted(sources.items())))
    (definition := tmp_path / "definition.json").write_text(text)
    s3, stub = _stubbed("s3")
    bucket, key = archive_uri.removeprefix("s3://").split("/", 1)
    stub.add_response(
        "get_object", {"Body": StreamingBody(BytesIO(archive), len(archive))}, {"Bucket": bucket, "Key": key}
    )
    out = tmp_path / "imported" / "script.yaml"
    with stub:
        code = run_cli(definition, None, out, {}, accept_loss=False, download=True, force=False, s3=s3)
    assert code == 0
    step = yaml.safe_load(out.read_text())["pipeline"]["steps"][0]
    assert (step["entry_point"], step["source_dir"]) == ("train.py", "code/Train")
    assert (out.parent / "code" / "Train" / "lib" / "util.py").read_bytes() == b"X = 1\n"
    again = mlopsgen.render(out)
    assert again.ok, [d.format() for d in again.diagnostics]
    assert json.loads(again.files[DEFINITION]) == json.loads(text)


def test_an_archive_member_escaping_its_folder_is_refused() -> None:
    import io
    import tarfile

    from mlopsgen.import_command import unpack

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("../evil.py")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(ValueError, match="leaves the folder"):
        unpack(buffer.getvalue(), "code/Train")


def test_framework_processor_is_read_from_its_downloaded_runproc_and_renders_back_exactly() -> None:
    """Without --download it is MLG603 (its settings are in S3); with the helper and the archive fetched, the
    step's command, entry point and requirements come back and the definition renders byte for byte."""
    from mlopsgen.runtime.sourcedir import compress, pack_tar

    sources = {"prep.py": b"print('prep')\n", "reqs/cpu.txt": b"numpy\n"}
    blueprint = {
        "version": 2,
        "project": {"name": "frame", "id": "p-frame1", "region": "eu-west-1", "account": "111111111111"},
        "pipeline": {
            "steps": [
                {
                    "name": "Prep",
                    "type": "processing",
                    "image": {"framework": "sklearn", "version": "1.2-1"},
                    "entry_point": "prep.py",
                    "source_dir": "src/prep",
                    "requirements": "reqs/cpu.txt",
                    "command": ["python3", "-u"],
                    "outputs": {"out": "/opt/ml/processing/out"},
                }
            ]
        },
    }
    rendered = mlopsgen.render(blueprint, code={f"src/prep/{k}": v for k, v in sources.items()}, name="frame.yaml")
    assert rendered.ok, [d.format() for d in rendered.diagnostics]
    text = rendered.files[DEFINITION]
    manifest = json.loads(rendered.files["model-build/code-manifest.json"])
    store = {h["s3_uri"]: rendered.files[f"model-build/{h['path']}"].encode() for h in manifest["helpers"]}
    store[manifest["source_dirs"][0]["s3_uri"]] = compress(pack_tar(sorted(sources.items())))

    without = run_import(text, "frame.json", "frame.yaml")
    assert [(d.code, d.path) for d in without.diagnostics] == [("MLG603", "Steps[Prep].Arguments.AppSpecification")]

    def fetch(files: list[Any]) -> tuple[dict[str, bytes], list[str]]:
        from mlopsgen.import_command import unpack

        got: dict[str, bytes] = {}
        for f in files:
            got.update(unpack(store[f.s3_uri], f.path) if f.folder else {f.path: store[f.s3_uri]})
        return got, []

    outcome = run_import(text, "frame.json", "frame.yaml", fetch=fetch)
    assert outcome.diagnostics == [], [d.format() for d in outcome.diagnostics]
    step = yaml.safe_load(outcome.text)["pipeline"]["steps"][0]
    assert {k: step[k] for k in ("entry_point", "source_dir", "requirements", "command")} == {
        "entry_point": "prep.py",
        "source_dir": "code/Prep",
        "requirements": "reqs/cpu.txt",
        "command": ["python3", "-u"],
    }
    again = mlopsgen.render(yaml.safe_load(outcome.text), code=outcome.fetched, name="frame.yaml")
    assert json.loads(again.files[DEFINITION]) == json.loads(text)


def test_two_steps_running_different_scripts_from_one_source_folder_import_without_download() -> None:
    """Found by the generator at 600 examples: the placeholder folder held only the first step's script."""
    step = {"type": "training", "image": {"framework": "sklearn", "version": "1.2-1"}, "source_dir": "src"}
    blueprint = {
        "version": 2,
        "project": {"name": "two", "id": "p-two1", "region": "eu-west-1", "account": "111111111111"},
        "pipeline": {
            "steps": [
                {**step, "name": "A", "entry_point": "a.py"},
                {**step, "name": "B", "entry_point": "b.py"},
            ]
        },
    }
    text = _definition(blueprint, {"src/a.py": b"a\n", "src/b.py": b"b\n"})
    outcome = run_import(text, "two.json", "two.yaml")
    assert outcome.diagnostics == [], [d.format() for d in outcome.diagnostics]
    assert [c.entry_points for c in outcome.code] == [("a.py", "b.py")]


def test_clarify_settings_without_a_place_in_the_blueprint_are_findings_at_their_pointer() -> None:
    """A key of the downloaded analysis configuration that clarify_check cannot write (here a second facet
    and the SDK's joinsource column) is a finding at its JSON pointer inside the file, never dropped."""
    text, store = _credit_store()
    definition = json.loads(text)
    check = next(s for s in definition["Steps"] if s["Name"] == "CheckApplicantDataBias")
    uri = next(i for i in check["Arguments"]["ProcessingInputs"] if i["InputName"] == "analysis_config")["S3Input"]
    config = json.loads(store[uri["S3Uri"]])
    config["facet"].append({"name_or_index": "income"})
    config["joinsource_name_or_index"] = "applicant_id"
    store[uri["S3Uri"]] = json.dumps(config).encode()
    outcome = run_import(text, "credit.json", "credit.yaml", fetch=_fetcher(store))
    where = "Steps[CheckApplicantDataBias].Arguments.ProcessingInputs[analysis_config]"
    assert {(d.code, d.path) for d in outcome.diagnostics} == {
        ("MLG601", f"{where}#/facet"),
        ("MLG601", f"{where}#/joinsource_name_or_index"),
    }, [d.format() for d in outcome.diagnostics]


def test_a_clarify_configuration_that_cannot_be_downloaded_is_still_refused() -> None:
    text, store = _credit_store()
    check = next(s for s in json.loads(text)["Steps"] if s["Name"] == "CheckApplicantDataBias")
    uri = next(i for i in check["Arguments"]["ProcessingInputs"] if i["InputName"] == "analysis_config")
    del store[uri["S3Input"]["S3Uri"]]

    outcome = run_import(text, "credit.json", "credit.yaml", fetch=_fetcher(store))
    assert {(d.code, d.path) for d in outcome.diagnostics} == {
        ("MLG603", "Steps[CheckApplicantDataBias].Arguments.ProcessingInputs[analysis_config]"),
        ("MLG608", ""),
    }, [d.format() for d in outcome.diagnostics]
    assert "was not downloaded" in outcome.diagnostics[0].message


def test_a_misread_clarify_setting_is_a_difference_when_verified() -> None:
    """The configuration's URI is compared by content: a setting that renders back differently from the
    downloaded file (as if the reader had misread the facet's values) is MLG606 at the analysis_config input."""
    from mlopsgen.importing import import_definition as read

    text, store = _credit_store()
    definition = json.loads(text)
    imported = read(definition, helpers=store)
    assert imported.findings == []
    steps = imported.blueprint["pipeline"]["steps"]
    bias = next(s for s in steps if s["name"] == "CheckApplicantDataBias")["bias"]
    bias["facet_values_or_threshold"] = [61]  # as if the reader had misread the file
    assert verify(read(definition, helpers=store), definition, "credit.yaml", {}) == []
    found = verify(imported, definition, "credit.yaml", {})
    where = "Steps[CheckApplicantDataBias].Arguments.ProcessingInputs[analysis_config].S3Input.S3Uri"
    assert ("MLG606", where) in {(f.code, f.json_path) for f in found}, found
