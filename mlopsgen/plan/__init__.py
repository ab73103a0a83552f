"""What will be built: the Plan (IR), derived names and resolved images."""
