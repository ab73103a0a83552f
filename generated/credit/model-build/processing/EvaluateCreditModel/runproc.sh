#!/bin/bash

# Exit on any error. SageMaker uses error code to mark failed job.
set -e

cd /opt/ml/processing/input/code/

# Debug: List files before extraction
echo "Files in /opt/ml/processing/input/code/ before extraction:"
ls -la

# Extract source code
if [ -f sourcedir.tar.gz ]; then
    tar -xzf sourcedir.tar.gz
    echo "Files after extraction:"
    ls -la
else
    echo "ERROR: sourcedir.tar.gz not found!"
    exit 1
fi

if [[ -f 'requirements.txt' ]]; then
    # Some py3 containers has typing, which may breaks pip install
    pip uninstall --yes typing

    python3 /opt/ml/processing/input/aux/install_requirements.py requirements.txt
fi

python3 evaluate.py "$@"
