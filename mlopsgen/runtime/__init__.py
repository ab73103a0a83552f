"""Standalone CI scripts that mlopsgen copies verbatim into generated repositories.

Each module here (``run_pipeline``, ``deploy_config``, ``test_endpoint``) is a self-contained
command-line script: it depends only on the Python standard library and boto3, and never imports
mlopsgen. CodeBuild and Jenkins run the copies as ``python scripts/<file>.py ...``.

Nothing on the render path imports this package; it lives inside mlopsgen only so the generator
can ship the files and the test suite can exercise them.
"""
