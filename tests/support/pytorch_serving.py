"""Serve one request the way the PyTorch inference container does, with the model's own handler.

Run inside the sandbox with /opt/ml/model holding the unpacked ``model.tar.gz``:
``python pytorch_serving.py PAYLOAD CONTENT_TYPE ACCEPT``. The sagemaker-inference-toolkit's transformer
imports ``SAGEMAKER_PROGRAM`` (``inference.py``) from ``SAGEMAKER_SUBMIT_DIRECTORY`` (``/opt/ml/model/code``,
put first on ``sys.path`` so the handler's own imports resolve), then calls ``model_fn`` once and
``input_fn`` → ``predict_fn`` → ``output_fn`` per request. This script does the same and prints the
response body on its last line.
"""

import importlib
import os
import sys


def main() -> None:
    payload, content_type, accept = sys.argv[1], sys.argv[2], sys.argv[3]
    code_dir = os.environ.get("SAGEMAKER_SUBMIT_DIRECTORY", "/opt/ml/model/code")
    program = os.environ.get("SAGEMAKER_PROGRAM", "inference.py")
    sys.path.insert(0, code_dir)
    handler = importlib.import_module(program.removesuffix(".py"))
    model = handler.model_fn("/opt/ml/model")
    with open(payload, "rb") as body:
        data = handler.input_fn(body.read(), content_type)
    prediction = handler.predict_fn(data, model)
    print(handler.output_fn(prediction, accept))


if __name__ == "__main__":
    main()
