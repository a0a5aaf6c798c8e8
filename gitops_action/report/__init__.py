"""Reports: Markdown (PR comments, job summaries), JSON (``--output-json``), findings."""
