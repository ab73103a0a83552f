"""The seed-code Lambda: a SageMaker project renders its own repository from a blueprint template.

A caller of ``mlopsgen.api`` like the CLI, outside the render path: ``template`` fills a blueprint
template and renders the repository in memory; ``changes`` decides what to commit; ``codecommit``,
``github`` and ``s3zip`` deliver it; ``handler`` speaks CloudFormation's custom-resource protocol.
Only the delivery modules and the handler use boto3, and only inside functions, so importing this
package costs nothing beyond ``mlopsgen`` itself.
"""
