"""Policy packs (AWS CloudFormation Guard rules) that `mlopsgen audit` runs."""
