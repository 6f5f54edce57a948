"""Reports and operations: JSON results, the compliance matrix, waivers and drift between runs.

``sfbcheck.report.plugin`` is the pytest plugin (loaded by :mod:`sfbcheck.plugin`); the other modules are
plain functions over result records so they can be used (and tested) without pytest:

* :mod:`~sfbcheck.report.results`: one record per result, the run's metadata, the JSON document;
* :mod:`~sfbcheck.report.waivers`: accepted exceptions with an expiry date (``waivers.yml``);
* :mod:`~sfbcheck.report.drift`: new failures, fixed ones and unchanged ones against a previous run;
* :mod:`~sfbcheck.report.matrix`: the servers × requirements page;
* :mod:`~sfbcheck.report.html`: the requirement, impact and host columns and detail blocks of pytest-html.
"""
